"""What a new Usedesk ticket takes (``ticket.fields``), as ``/create/ticket`` documents it:
a ``subject`` (at most 255 characters) and a first ``message``, both required, and the
``priority`` and ``type`` it may be given.

Usedesk's additional ticket fields are not listed: ``/create/ticket`` writes at most one
of them (``field_id``/``field_value``), and a recipe's draft does not name it.
"""

from __future__ import annotations

from pontes.plugin import Connection, FieldChoice, NoParams, TicketField

from ..connector import kit


def _choices(*values: str) -> list[FieldChoice]:
    return [FieldChoice(id=value, value=value.capitalize()) for value in values]


FIELDS = (
    TicketField(name="subject", label="Subject", required=True),
    TicketField(name="priority", label="Priority", type="choice", default="medium",
                options=_choices("low", "medium", "urgent", "extreme")),
    TicketField(name="category", label="Type", type="choice", default="question",
                options=_choices("question", "task", "problem", "incident")),
    TicketField(name="description", label="Message", type="long_text", required=True),
)
"""The fields of ``/create/ticket`` a form asks (``category`` is Usedesk's ``type``)."""


@kit.action("ticket.fields")
async def ticket_fields(connection: Connection, params: NoParams) -> list[TicketField]:
    """The fields of a new ticket: the subject and message it requires, its priority
    (``medium`` unless chosen) and its type (``question`` unless chosen)."""
    return list(FIELDS)
