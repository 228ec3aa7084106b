"""An OData-subset engine for sandboxes: the query options vendors such as Movidesk and
Ploomes take, applied to in-memory records.

Describe the records with a ``Schema`` of entity types (``EntityType``: plain
properties, and navigations to other records or to objects kept as stored,
``Navigation``), say how the vendor reads queries with a ``Dialect``, and ask a
``QueryEngine`` to ``parse`` a request's parameters::

    engine = QueryEngine(Dialect(max_top=100), Schema([TICKET]))
    query = engine.parse("Ticket", request.query_params)
    rows, matched = query.run(tickets)          # $filter, $orderby, $skip, $top
    answer = [query.shape(row) for row in rows]  # $select, $expand

What the engine understands:

- ``$filter``: comparisons (``eq ne gt ge lt le``), ``and``/``or``/``not``,
  parentheses, literals (quoted text, numbers, ``true``/``false``/``null``,
  date-times), paths (``owner/id``), the lambdas ``any``/``all``, and the functions
  ``contains``, ``startswith``, ``endswith``, ``tolower``, ``toupper``;
- ``$select`` (with ``*``), ``$expand`` with nested ``$select``, ``$expand``,
  ``$filter``, ``$orderby``, ``$top`` and ``$skip``; ``$orderby`` over paths, each
  ``asc`` or ``desc``; ``$top`` cut to the dialect's maximum; ``$skip``; ``$count``
  and ``$inlinecount``; where the next page is when the maximum cut an answer short.

A query the vendor would refuse raises ``ODataError``; the sandbox answers it with 400
in the vendor's error shape. The parsed ``$filter`` is a tree of ``Compare``,
``Logical``, ``Not``, ``Lambda``, ``Call``, ``Property`` and ``Literal`` nodes, for
sandboxes that look into it (to use an index, say).
"""

from .dialect import COUNT_OPTIONS, FUNCTIONS, STANDARD_OPTIONS, Dialect
from .engine import QueryEngine
from .errors import ODataError
from .model import EntityType, Navigation, Related, Schema
from .query import OrderKey, Query
from .syntax import Call, Compare, Lambda, Literal, Logical, Not, Property

__all__ = [
    "COUNT_OPTIONS",
    "FUNCTIONS",
    "STANDARD_OPTIONS",
    "Call",
    "Compare",
    "Dialect",
    "EntityType",
    "Lambda",
    "Literal",
    "Logical",
    "Navigation",
    "Not",
    "ODataError",
    "OrderKey",
    "Property",
    "Query",
    "QueryEngine",
    "Related",
    "Schema",
]
