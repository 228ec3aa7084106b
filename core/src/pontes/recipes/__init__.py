"""Recipes: the integrations of the seed documents, written against capabilities only."""
