"""The tab's forms: "+ Ticket", a reply and a forward, checked before the helpdesk is
called, each keeping what was typed when it is shown again with a message.

"+ Ticket" asks what the helpdesk says a new ticket takes (``ticket.fields``, kept a
minute per connection like the other metadata), or, from a helpdesk that cannot say,
``DEFAULT_FIELDS``; every ticket also names its requester (``email`` and ``name``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from email_validator import EmailNotValidError, validate_email
from starlette.datastructures import FormData

from ...capabilities import TICKET_ATTRIBUTES, FieldChoice, TicketField
from ...connection import Connection
from ...models import Contact, Ticket
from ...recipes.crm_metadata import remembered
from ...web.i18n import translate
from . import messages

DEFAULT_FIELDS = (
    TicketField(name="subject", label="Subject", required=True),
    TicketField(name="priority", label="Priority", type="choice",
                options=[FieldChoice(id=p, value=p) for p in ("Low", "Medium", "High")]),
    TicketField(name="description", label="Description", type="long_text"),
)
"""What "+ Ticket" asks of a helpdesk that cannot list its ticket fields."""
REQUESTER = ("email", "name")
"""The form's own inputs, for the requester: no helpdesk field may take these names."""


async def ticket_fields(helpdesk: Connection) -> list[TicketField]:
    """The fields of a new ticket at ``helpdesk``, without any that would take the
    requester's inputs; ``DEFAULT_FIELDS`` when it cannot list them."""
    if not helpdesk.has("ticket.fields"):
        return list(DEFAULT_FIELDS)

    async def read() -> list[TicketField]:
        return await helpdesk.call("ticket.fields")

    listed = await remembered(helpdesk, "ticket.fields", read)
    return [f for f in listed if f.name not in REQUESTER]


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


@dataclass
class TicketForm:
    """"+ Ticket": the requester's e-mail (required) and name, and the helpdesk's
    ``fields`` (their values by name), with a message per field at fault (``errors``)
    and one about the whole form (``error``: the helpdesk's refusal), in ``language``."""

    fields: list[TicketField] = field(default_factory=lambda: list(DEFAULT_FIELDS))
    language: str = "en"
    email: str = ""
    name: str = ""
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    @classmethod
    def prefilled(cls, requester: Contact | None,
                  fields: list[TicketField] | tuple[TicketField, ...] = DEFAULT_FIELDS,
                  language: str = "en") -> TicketForm:
        """The empty form: each field at its default, the requester the record's contact."""
        values = {f.name: f.default for f in fields if f.default is not None}
        if requester is None:
            return cls(list(fields), language, values=values)
        return cls(list(fields), language, email=requester.emails[0] if requester.emails else "",
                   name=requester.display_name() or "", values=values)

    @classmethod
    def posted(cls, form: FormData,
               fields: list[TicketField] | tuple[TicketField, ...] = DEFAULT_FIELDS,
               language: str = "en") -> TicketForm:
        """The form as posted."""
        return cls(list(fields), language, email=_text(form, "email"), name=_text(form, "name"),
                   values={f.name: _text(form, f.name) for f in fields})

    def label(self, ticket_field: TicketField) -> str:
        """How the form names ``ticket_field`` (pontes' own labels in the form's
        language)."""
        return translate(self.language, ticket_field.label)

    def valid(self) -> bool:
        """Whether the helpdesk can take it; ``errors`` say what is not, field by field
        (``email`` for the requester's)."""
        self.errors = {}
        if not self.email:
            self.errors["email"] = self._say(
                messages.REQUIRED, field=translate(self.language, "Requester e-mail"))
        elif not _is_email(self.email):
            self.errors["email"] = self._say(messages.NOT_AN_EMAIL, value=repr(self.email))
        for ticket_field in self.fields:
            problem = self._problem(ticket_field, self.values.get(ticket_field.name, ""))
            if problem is not None:
                self.errors[ticket_field.name] = problem
        return not self.errors

    def _problem(self, ticket_field: TicketField, value: str) -> str | None:
        label = self.label(ticket_field)
        if not value:
            return self._say(messages.REQUIRED, field=label) if ticket_field.required else None
        if ticket_field.type == "choice" and value not in {o.id for o in ticket_field.options}:
            return self._say(messages.NOT_A_CHOICE, field=label)
        if ticket_field.type == "email" and not _is_email(value):
            return self._say(messages.NOT_AN_EMAIL, value=repr(value))
        if ticket_field.type == "date" and not _is_date(value):
            return self._say(messages.NOT_A_DATE, field=label)
        if ticket_field.type == "number" and not _is_number(value):
            return self._say(messages.NOT_A_NUMBER, field=label)
        return None

    def _say(self, message: str, **values: str) -> str:
        return messages.say(self.language, message, **values)

    def draft(self, requester: Contact | None) -> Ticket:
        """The ticket to open, for the record's contact (or the e-mail typed), with the
        values entered: the ticket's own attributes, the rest in its ``custom``."""
        person = requester if requester is not None and self.email in requester.emails \
            else Contact(emails=[self.email])
        if self.name and not person.display_name():
            person = person.model_copy(update={"name": self.name})
        entered = {name: value for name, value in self.values.items() if value}
        attributes = {name: entered.pop(name) for name in TICKET_ATTRIBUTES if name in entered}
        return Ticket(requester=person, custom=entered, **attributes)


@dataclass
class ReplyForm:
    """A reply's text; ``error`` is one of ``messages`` when it cannot be sent."""

    text: str = ""
    error: str | None = None

    @classmethod
    def posted(cls, form: FormData) -> ReplyForm:
        """The form as posted."""
        return cls(text=_text(form, "text"))

    def valid(self) -> bool:
        """Whether there is something to send."""
        if not self.text:
            self.error = messages.WRITE_REPLY
        return self.error is None


@dataclass
class ForwardForm:
    """A forward: the address and a covering text; ``error`` is one of ``messages`` when
    it cannot be sent."""

    to: str = ""
    text: str = ""
    error: str | None = None

    @classmethod
    def posted(cls, form: FormData) -> ForwardForm:
        """The form as posted."""
        return cls(to=_text(form, "to"), text=_text(form, "text"))

    def valid(self) -> bool:
        """Whether the address is one."""
        if not _is_email(self.to):
            self.error = messages.FORWARD_ADDRESS
        return self.error is None


def _is_email(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
