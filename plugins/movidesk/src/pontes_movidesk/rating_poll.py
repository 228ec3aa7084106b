"""New satisfaction-survey answers as ``ticket.rated`` (polling trigger ``rating_poll``).

Movidesk tells no webhook of a rating; its answers are read from ``GET
/survey/responses`` (``{"hasMore", "items"}``, ordered by id and paged with ``limit``
and ``startingAfter``). The cursor is the id of the last answer read. The first poll
only notes where the answers end (over several polls when there are more pages than one
poll reads: the cursor is then marked ``NOTING``), so an integration switched on tells
the answers given from then on, not the account's whole past; each poll reads at most
``MAX_PAGES_PER_POLL`` pages and the next goes on from where it stopped.

An answer's value is read on a good / okay / bad scale by its survey type (1 satisfied
or not, 2 smiley faces from 1 to 5, 3 NPS from 0 to 10, 4 yes or no); the loaded ticket
carries it in ``custom`` (``rating``, ``rating_feedback``: the client's commentary), as
the Tickets tab's new-rating note shows it.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import Connection, Event, PollResult, Ticket

from .connector import kit
from .triggers import MAX_PAGES_PER_POLL, load_ticket

SURVEY_RESPONSES = "/survey/responses"
PAGE_LIMIT = 100
"""The most answers Movidesk gives a page."""
NOTING = "~"
"""The cursor's mark while the first polls are still finding where the answers end."""


def rating_of(answer: dict[str, Any]) -> str | None:
    """``good``, ``okay`` or ``bad`` for a survey answer; ``None`` for a type or value
    this scale does not know."""
    kind, value = answer.get("type"), answer.get("value")
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if kind in (1, 4):
        return {1: "good", 2: "bad"}.get(value)
    if kind == 2 and 1 <= value <= 5:
        return "good" if value >= 4 else "okay" if value == 3 else "bad"
    if kind == 3 and 0 <= value <= 10:
        return "good" if value >= 9 else "okay" if value >= 7 else "bad"
    return None


async def load_rated_ticket(connection: Connection, event: Event) -> Ticket:
    """The rated ticket, with the answer's rating and commentary in ``custom``."""
    ticket = await load_ticket(connection, event)
    answer = event.payload
    return ticket.model_copy(update={"custom": {
        **ticket.custom, "rating": rating_of(answer),
        "rating_feedback": answer.get("commentary") or None}})


def rating_event(connection_name: str, answer: dict[str, Any]) -> Event | None:
    """The ``ticket.rated`` event of one answer; ``None`` for one without a ticket."""
    ticket_id = answer.get("ticketId")
    if not isinstance(ticket_id, int) or isinstance(ticket_id, bool):
        return None
    return Event(type="ticket.rated", connection=connection_name,
                 idempotency_key=f"survey-response:{answer.get('id')}",
                 entity_key=f"ticket:{ticket_id}", record_id=str(ticket_id), payload=answer)


@kit.polling_trigger("rating_poll", events=("ticket.rated",), load=load_rated_ticket,
                     interval_seconds=300.0)
async def poll_ratings(connection: Connection, cursor: str | None) -> PollResult:
    """Survey answers given since the last poll (see the module docstring)."""
    noting = cursor is None or cursor.startswith(NOTING)
    last = (cursor or "").removeprefix(NOTING)
    events: list[Event] = []
    more = False
    for _ in range(MAX_PAGES_PER_POLL):
        params: dict[str, Any] = {"limit": PAGE_LIMIT}
        if last:
            params["startingAfter"] = last
        page = await connection.client.get_json(SURVEY_RESPONSES, params=params) or {}
        items = [item for item in page.get("items") or [] if isinstance(item, dict)]
        if items:
            last = str(items[-1].get("id"))
        if not noting:
            events += [e for e in (rating_event(connection.name, item) for item in items) if e]
        more = bool(page.get("hasMore"))
        if not more:
            break
    return PollResult(events=events, cursor=(NOTING if noting and more else "") + last)
