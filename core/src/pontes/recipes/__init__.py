"""Recipes: the integrations of the seed documents, written against capabilities only."""

from .base import LinkStore, MappingSlot, NoOptions, Recipe, RoleSpec, RunContext, SetupStep

__all__ = ["LinkStore", "MappingSlot", "NoOptions", "Recipe", "RoleSpec", "RunContext", "SetupStep"]
