"""Recipes: the integrations of the seed documents, written against capabilities only."""

from .base import (
    Integration,
    LinkStore,
    MappingSlot,
    NoOptions,
    Recipe,
    RoleSpec,
    RunContext,
    SetupStep,
)

__all__ = ["Integration", "LinkStore", "MappingSlot", "NoOptions", "Recipe", "RoleSpec", "RunContext", "SetupStep"]
