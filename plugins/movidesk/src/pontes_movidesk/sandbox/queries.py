"""How the sandbox reads Movidesk's OData query options: the dialect and the entity types
it hands to the core engine (``pontes.sandbox.odata``).

Movidesk takes ``$filter``, ``$orderby``, ``$top``, ``$skip``, ``$select`` and
``$expand``, and nothing else, not even ``$count``. Its API is forgiving in what it
reads: option, keyword and property names match in any case (the vendor's own examples
spell ``lifeTimeWorkingTime`` both ways), a property compared with a literal is read as
the literal's type, and a member a nested object lacks reads as null. It is narrow in
what it understands: each condition is ``property op literal`` or a lambda
(``clients/any(c: c/id eq '1')``), with no functions; paths use ``/`` (``owner/id``),
never ``.``. Lists are ordered by id unless ``$orderby`` says otherwise, at most 100
rows a page (1000 in the older API).

A ticket's people and lists (``owner``, ``clients``, ``actions``, ...) come in a list
answer only through ``$expand``; a person's lists come whenever they are selected.
"""

from __future__ import annotations

from dataclasses import replace

from pontes.plugin import odata

from .schema import PERSON_LISTS, PERSON_SCALARS, TICKET_RELATIONS, TICKET_SCALARS

MOVIDESK_ODATA = odata.Dialect(
    max_top=100,
    ignore_case=True,
    simple_conditions=True,
    loose_comparisons=True,
    absent_members_are_null=True,
    default_orderby="id",
)

TICKET = odata.EntityType("Ticket", TICKET_SCALARS,
                    {name: odata.Navigation() for name in TICKET_RELATIONS})
PERSON = odata.EntityType("Person", PERSON_SCALARS,
                    {name: odata.Navigation(expand_only=False) for name in PERSON_LISTS})


def query_engine(max_page_size: int = MOVIDESK_ODATA.max_top) -> odata.QueryEngine:
    """The engine for ``/tickets``, ``/tickets/past`` and ``/persons``, with
    ``max_page_size`` rows a page at most."""
    return odata.QueryEngine(replace(MOVIDESK_ODATA, max_top=max_page_size), odata.Schema([TICKET, PERSON]))
