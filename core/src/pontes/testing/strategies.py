"""Hypothesis strategies for canonical records and the values inside them.

Use them for property tests of mappers and recipes::

    from hypothesis import given
    from pontes.testing.strategies import contacts, record_of

    @given(contacts())
    def test_round_trip(contact): ...

Values come raw, as vendors write them (e-mails in mixed case with blanks, phones in
several Brazilian writings, tax ids with punctuation, datetimes in any time zone), so the
models' normalisation is exercised; ``record_of(model)`` gives the strategy of any
canonical model. Needs the ``hypothesis`` package (a test dependency).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ..models import (
    Address,
    Chat,
    Company,
    Contact,
    Deal,
    DealStatus,
    Direction,
    Event,
    Interaction,
    InteractionKind,
    Message,
    Ticket,
    TicketStatus,
    UserRef,
)

__all__ = [
    "BR_AREA_CODES",
    "addresses",
    "br_phone_numbers",
    "br_phone_writings",
    "chats",
    "companies",
    "contacts",
    "datetimes",
    "deals",
    "emails",
    "events",
    "interactions",
    "json_values",
    "messages",
    "phones",
    "record_of",
    "tax_ids",
    "tickets",
    "user_refs",
]

BR_AREA_CODES = (
    11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 24, 27, 28, 31, 32, 33, 34, 35, 37, 38,
    41, 42, 43, 44, 45, 46, 47, 48, 49, 51, 53, 54, 55, 61, 62, 63, 64, 65, 66, 67, 68,
    69, 71, 73, 74, 75, 77, 79, 81, 82, 83, 84, 85, 86, 87, 88, 89, 91, 92, 93, 94, 95,
    96, 97, 98, 99,
)
"""Brazilian area codes (DDD) in use."""

_SHORT = {"max_size": 3}
_words = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
_optional_words = st.none() | _words


def _digits(count: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=count, max_size=count)


@st.composite
def br_phone_numbers(draw: st.DrawFn) -> tuple[int, str]:
    """A valid Brazilian number as (area code, subscriber digits): mobile or landline."""
    area = draw(st.sampled_from(BR_AREA_CODES))
    mobile = draw(st.booleans())
    if mobile:
        subscriber = "9" + draw(st.sampled_from("6789")) + draw(_digits(7))
    else:
        subscriber = draw(st.sampled_from("2345")) + draw(_digits(7))
    return area, subscriber


def _writings(area: int, subscriber: str) -> list[str]:
    head, tail = subscriber[:-4], subscriber[-4:]
    return [
        f"+55{area}{subscriber}",
        f"+55 ({area}) {head}-{tail}",
        f"({area}) {head}-{tail}",
        f"{area}{subscriber}",
        f"0{area} {head} {tail}",
        f"(0{area}) {head}-{tail}",
        f"0 21 {area} {head}-{tail}",
        f"55 {area} {head} {tail}",
        f"  {area}.{head}.{tail} ",
    ]


@st.composite
def br_phone_writings(draw: st.DrawFn) -> tuple[str, str, str]:
    """(E.164, one writing, another writing) of the same valid Brazilian number."""
    area, subscriber = draw(br_phone_numbers())
    writings = _writings(area, subscriber)
    return f"+55{area}{subscriber}", draw(st.sampled_from(writings)), draw(st.sampled_from(writings))


def phones() -> st.SearchStrategy[str]:
    """Phone text as people type it: Brazilian numbers in any writing, or anything at all."""
    return br_phone_writings().map(lambda t: t[1]) | _words


def emails() -> st.SearchStrategy[str]:
    """E-mail addresses in mixed case with stray blanks, and now and then arbitrary text."""
    def scramble(address: str, upper: list[bool], pad: str) -> str:
        mixed = "".join(c.upper() if u else c for c, u in zip(address, upper, strict=False))
        return f"{pad}{mixed}{pad}"

    written = st.builds(scramble, st.emails(), st.lists(st.booleans(), max_size=40),
                        st.sampled_from(["", " ", "\t"]))
    return written | _words


def tax_ids() -> st.SearchStrategy[str]:
    """CPF and CNPJ numbers with or without punctuation, and arbitrary text."""
    cpf = st.builds(lambda d: f"{d[:3]}.{d[3:6]}.{d[6:9]}-{d[9:]}", _digits(11))
    cnpj = st.builds(lambda d: f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}", _digits(14))
    return cpf | cnpj | _digits(11) | _digits(14) | _words


def datetimes() -> st.SearchStrategy[datetime]:
    """Datetimes naive or in any time zone, between 1900 and 2100."""
    return st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2099, 12, 30),
                        timezones=st.none() | st.timezones())


def json_values() -> st.SearchStrategy[Any]:
    """Values that JSON can carry exactly (vendor payloads, custom field values)."""
    scalars = (st.none() | st.booleans() | st.integers(-(2**53), 2**53)
               | st.floats(allow_nan=False, allow_infinity=False) | _words)
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, **_SHORT) | st.dictionaries(_words, inner, **_SHORT),
        max_leaves=8,
    )


def _payloads() -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(_words, json_values(), **_SHORT)


def _envelope() -> dict[str, st.SearchStrategy[Any]]:
    return {
        "refs": st.dictionaries(st.sampled_from(["movidesk", "ploomes", "jivo", "crm"]),
                                _words, **_SHORT),
        "remote_data": st.none() | _payloads(),
        "remote_updated_at": st.none() | datetimes(),
        "custom": _payloads(),
    }


def addresses() -> st.SearchStrategy[Address]:
    """Postal addresses with any parts filled."""
    return st.builds(Address, **{name: _optional_words for name in Address.model_fields})


def user_refs() -> st.SearchStrategy[UserRef]:
    """Users of a vendor system (owners, agents)."""
    return st.builds(UserRef, remote_id=_optional_words, name=_optional_words,
                     email=st.none() | emails())


def companies() -> st.SearchStrategy[Company]:
    """Client companies."""
    return st.builds(Company, **_envelope(), name=_optional_words, legal_name=_optional_words,
                     tax_id=st.none() | tax_ids(), emails=st.lists(emails(), **_SHORT),
                     phones=st.lists(phones(), **_SHORT), website=_optional_words,
                     addresses=st.lists(addresses(), max_size=2))


def contacts() -> st.SearchStrategy[Contact]:
    """Client people, now and then with their company and owner."""
    return st.builds(Contact, **_envelope(), name=_optional_words, first_name=_optional_words,
                     last_name=_optional_words, emails=st.lists(emails(), **_SHORT),
                     phones=st.lists(phones(), **_SHORT), tax_id=st.none() | tax_ids(),
                     company=st.none() | companies(), owner=st.none() | user_refs(),
                     addresses=st.lists(addresses(), max_size=2))


_amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"),
                       allow_nan=False, allow_infinity=False, places=2)


def deals() -> st.SearchStrategy[Deal]:
    """Sales opportunities with amounts, stages and their client."""
    return st.builds(Deal, **_envelope(), title=_optional_words, amount=st.none() | _amounts,
                     currency=st.none() | st.sampled_from(["BRL", "USD", "EUR"]),
                     pipeline=_optional_words, stage=_optional_words,
                     status=st.sampled_from(DealStatus), owner=st.none() | user_refs(),
                     collaborators=st.lists(user_refs(), max_size=2),
                     contact=st.none() | contacts(), company=st.none() | companies(),
                     close_date=st.none() | st.dates())


def messages() -> st.SearchStrategy[Message]:
    """Messages of tickets and chats."""
    return st.builds(Message, remote_id=_optional_words, author=_optional_words,
                     direction=st.none() | st.sampled_from(Direction), public=st.booleans(),
                     text=_optional_words, html=_optional_words,
                     sent_at=st.none() | datetimes())


def tickets() -> st.SearchStrategy[Ticket]:
    """Helpdesk tickets with requester, messages and dates."""
    moments = st.none() | datetimes()
    return st.builds(Ticket, **_envelope(), number=_optional_words, subject=_optional_words,
                     description=_optional_words, vendor_status=_optional_words,
                     status=st.sampled_from(TicketStatus), urgency=_optional_words,
                     priority=_optional_words, category=_optional_words,
                     owner=st.none() | user_refs(), team=_optional_words,
                     requester=st.none() | contacts(), company=st.none() | companies(),
                     created_at=moments, updated_at=moments, resolved_at=moments,
                     closed_at=moments, tags=st.lists(_words, **_SHORT),
                     messages=st.lists(messages(), max_size=2))


def interactions() -> st.SearchStrategy[Interaction]:
    """Entries of a client's history."""
    return st.builds(Interaction, **_envelope(), kind=st.sampled_from(InteractionKind),
                     subject=_optional_words, content_text=_optional_words,
                     content_html=_optional_words, occurred_at=st.none() | datetimes(),
                     direction=st.none() | st.sampled_from(Direction),
                     contact=st.none() | contacts(), company=st.none() | companies(),
                     deal=st.none() | deals(), ticket=st.none() | tickets())


def chats() -> st.SearchStrategy[Chat]:
    """Live-chat conversations with visitor, UTM tags and geography."""
    return st.builds(Chat, **_envelope(), visitor=st.none() | contacts(),
                     agent=st.none() | user_refs(), messages=st.lists(messages(), max_size=3),
                     started_at=st.none() | datetimes(), finished_at=st.none() | datetimes(),
                     page_url=_optional_words, page_title=_optional_words,
                     utm=st.dictionaries(st.sampled_from(["source", "medium", "campaign",
                                                          "content", "term"]), _words),
                     geo=st.none() | addresses(), tags=st.lists(_words, **_SHORT),
                     description=_optional_words, organization=_optional_words,
                     offline=st.booleans())


def events() -> st.SearchStrategy[Event]:
    """Trigger events with vendor payloads."""
    return st.builds(Event, type=st.sampled_from(["ticket.changed", "chat.finished",
                                                  "deal.created"]),
                     connection=_words, idempotency_key=_words, entity_key=_words,
                     record_id=_optional_words, trigger=_optional_words,
                     occurred_at=datetimes(), payload=_payloads())


_BY_MODEL = {
    Address: addresses, UserRef: user_refs, Company: companies, Contact: contacts,
    Deal: deals, Message: messages, Ticket: tickets, Interaction: interactions, Chat: chats,
    Event: events,
}


def record_of(model: type) -> st.SearchStrategy[Any]:
    """The strategy for a canonical model class (``Contact``, ``Deal``, ``Event``...)."""
    try:
        return _BY_MODEL[model]()
    except KeyError:
        known = ", ".join(m.__name__ for m in _BY_MODEL)
        raise ValueError(f"no strategy for {model!r}; known models: {known}") from None
