"""What the engine knows of the records it queries: entity types, their properties and
their navigations, and how a navigation leads from one record to others."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any


@dataclass(frozen=True)
class Navigation:
    """A property that leads to other records (one, or a list of them).

    ``target`` names the entity type of those records; ``None`` means objects without a
    declared type, kept as stored: any member may be read or selected, none is checked.
    An ``expand_only`` navigation appears in an answer only when named in ``$expand``;
    otherwise it is returned like a property whenever it is selected.
    """

    target: str | None = None
    expand_only: bool = True


@dataclass(frozen=True)
class EntityType:
    """One type of record: its ``name`` (used in error messages), its plain
    ``properties`` and its ``navigations``, each in the order answers list them."""

    name: str
    properties: tuple[str, ...]
    navigations: Mapping[str, Navigation] = field(default_factory=dict)

    @cached_property
    def members(self) -> tuple[str, ...]:
        """Every property and navigation name."""
        return (*self.properties, *self.navigations)

    @cached_property
    def _by_lower_name(self) -> dict[str, str]:
        return {name.lower(): name for name in reversed(self.members)}

    def member(self, name: str, ignore_case: bool) -> str | None:
        """The declared spelling of property or navigation ``name``, or ``None``."""
        if name in self.navigations or name in self.properties:
            return name
        return self._by_lower_name.get(name.lower()) if ignore_case else None


Related = Callable[[EntityType, str, Mapping[str, Any]], Any]
"""How navigation ``name`` of a record of a type is followed: the related record, the
list of related records, or ``None``."""


def stored_member(entity: EntityType, name: str, record: Mapping[str, Any]) -> Any:
    """The related records kept inside the record itself, under the navigation's name."""
    return record.get(name)


class Schema:
    """The entity types of one API, and how their navigations are followed
    (``related``; by default, records keep their related records inside them)."""

    def __init__(self, types: Iterable[EntityType], related: Related = stored_member):
        self.types = {entity.name: entity for entity in types}
        self.related = related
        for entity in self.types.values():
            for name, navigation in entity.navigations.items():
                if navigation.target is not None and navigation.target not in self.types:
                    raise ValueError(f"{entity.name}.{name} leads to an unknown type "
                                     f"{navigation.target!r}")

    def __getitem__(self, name: str) -> EntityType:
        """The entity type called ``name``."""
        return self.types[name]

    def target(self, entity: EntityType, navigation: str) -> EntityType | None:
        """The entity type navigation ``navigation`` of ``entity`` leads to, if declared."""
        target = entity.navigations[navigation].target
        return self.types[target] if target is not None else None
