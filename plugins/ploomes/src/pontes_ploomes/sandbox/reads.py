"""How the sandbox reads Ploomes' OData query options: the dialect, and the resources as
the core engine (``pontes.sandbox.odata``) sees them.

Ploomes speaks OData v4 and holds to it: option, keyword and property names are spelled
exactly; values compare only when their types agree (text that reads as a date-time
counts as one next to a date-time); ``$count`` is accepted at the top level, and so is
OData v3's ``$inlinecount`` (``allpages`` counts as ``$count=true`` does), which public
Ploomes clients send; ``$filter`` takes ``contains``, ``startswith``, ``endswith``,
``tolower`` and ``toupper``; a ``$top`` above 300 is cut to 300 without an error, and an
answer cut short that way carries an ``@odata.nextLink`` to the rest. Navigations (see
``schema``) come only through ``$expand``, with their own options inside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pontes.plugin import odata

from .schema import RESOURCES, Resource
from .state import Store

PAGE_SIZE = 300
"""The most rows one Ploomes answer holds."""

PLOOMES_ODATA = odata.Dialect(max_top=PAGE_SIZE, options=odata.STANDARD_OPTIONS | odata.COUNT_OPTIONS,
                              functions=odata.FUNCTIONS, next_links=True)


def type_name(path: str) -> str:
    """The entity type of resource ``path`` as error messages name it
    (``Ploomes.API.Deals``)."""
    return f"Ploomes.API.{path}"


def _entity_type(resource: Resource) -> odata.EntityType:
    navigations = {
        name: odata.Navigation(None if navigation.kind == "inline" else type_name(navigation.target or ""))
        for name, navigation in resource.navigations.items()
    }
    return odata.EntityType(type_name(resource.path), resource.fields, navigations)


def query_engine(store: Store, page_size: int = PAGE_SIZE) -> odata.QueryEngine:
    """The engine over every resource of ``store``, following navigations through it,
    with answers of at most ``page_size`` rows."""
    resources = {type_name(resource.path): resource for resource in RESOURCES.values()}

    def related(entity: odata.EntityType, name: str, row: Mapping[str, Any]) -> Any:
        navigation = resources[entity.name].navigations[name]
        if navigation.kind == "inline":
            return row.get(name) or []
        target, key = navigation.target or "", navigation.key or ""
        if navigation.kind == "single":
            return store.get(target, row[key]) if row.get(key) is not None else None
        return [other for other in store.rows(target) if other.get(key) == row["Id"]]

    schema = odata.Schema([_entity_type(resource) for resource in RESOURCES.values()], related)
    return odata.QueryEngine(replace(PLOOMES_ODATA, max_top=page_size), schema)
