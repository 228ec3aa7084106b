"""The tab's forms: "+ Ticket", a reply and a forward, checked before the helpdesk is
called, each keeping what was typed when it is shown again with a message."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from starlette.datastructures import FormData

from ...models import Contact, Ticket

PRIORITIES = ("", "Low", "Medium", "High")
"""The priorities a new ticket may be given (empty: the helpdesk's default)."""


def _text(form: FormData, name: str) -> str:
    return str(form.get(name) or "").strip()


@dataclass
class TicketForm:
    """"+ Ticket": what every helpdesk requires (a subject and a requester's e-mail),
    with a description and a priority."""

    subject: str = ""
    description: str = ""
    email: str = ""
    name: str = ""
    priority: str = ""
    error: str | None = None

    @classmethod
    def prefilled(cls, requester: Contact | None) -> TicketForm:
        """The empty form, its requester the record's contact."""
        if requester is None:
            return cls()
        return cls(email=requester.emails[0] if requester.emails else "",
                   name=requester.display_name() or "")

    @classmethod
    def posted(cls, form: FormData) -> TicketForm:
        """The form as posted."""
        return cls(subject=_text(form, "subject"), description=_text(form, "description"),
                   email=_text(form, "email"), name=_text(form, "name"),
                   priority=_text(form, "priority"))

    def valid(self) -> bool:
        """Whether the helpdesk can take it; ``error`` says why not."""
        if not self.subject:
            self.error = "A ticket needs a subject."
        elif not self.email:
            self.error = "A ticket needs the requester's e-mail."
        elif not _is_email(self.email):
            self.error = f"{self.email!r} is not an e-mail address."
        elif self.priority not in PRIORITIES:
            self.error = "Choose one of the priorities listed."
        return self.error is None

    def draft(self, requester: Contact | None) -> Ticket:
        """The ticket to open, for the record's contact (or the e-mail typed)."""
        person = requester if requester is not None and self.email in requester.emails \
            else Contact(emails=[self.email])
        if self.name and not person.display_name():
            person = person.model_copy(update={"name": self.name})
        return Ticket(subject=self.subject, description=self.description or None,
                      priority=self.priority or None, requester=person)


@dataclass
class ReplyForm:
    """A reply's text."""

    text: str = ""
    error: str | None = None

    @classmethod
    def posted(cls, form: FormData) -> ReplyForm:
        """The form as posted."""
        return cls(text=_text(form, "text"))

    def valid(self) -> bool:
        """Whether there is something to send."""
        if not self.text:
            self.error = "Write the reply first."
        return self.error is None


@dataclass
class ForwardForm:
    """A forward: the address and a covering text."""

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
            self.error = "Forward needs an e-mail address to send the ticket to."
        return self.error is None


def _is_email(value: str) -> bool:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True
