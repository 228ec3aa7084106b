"""Recipes: the integrations of the seed documents, written against capabilities only."""

from .base import (
    Integration,
    Links,
    MappingSlot,
    NoOptions,
    Recipe,
    RoleSpec,
    RunContext,
    SetupStep,
)

__all__ = ["Integration", "Links", "MappingSlot", "NoOptions", "Recipe", "RoleSpec", "RunContext", "SetupStep"]
