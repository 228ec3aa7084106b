"""Checks every polling trigger's tests make: its events load, and a poll with nothing
changed since brings nothing new."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..connection import Connection
    from ..connector import PollResult
    from ..models import Event

Poll = Callable[["Connection", "str | None"], Awaitable["PollResult"]]


async def loaded_by_type(connection: Connection, trigger: str,
                         events: Iterable[Event]) -> dict[str, Any]:
    """What the connection's trigger named ``trigger`` loads for each of ``events``, by
    event type."""
    found = next(t for t in connection.triggers if t.name == trigger)
    return {event.type: await found.load(connection, event) for event in events}


async def assert_nothing_new_after(poll: Poll, connection: Connection,
                                   last: PollResult) -> None:
    """Poll again from ``last``'s cursor with nothing changed since: no event with a key
    ``last`` did not give, and the cursor where it was."""
    again = await poll(connection, last.cursor)
    keys = {event.idempotency_key for event in last.events}
    assert {event.idempotency_key for event in again.events} <= keys, (
        "nothing changed, yet the poll gave new events")
    assert again.cursor == last.cursor, "nothing changed, yet the cursor moved"
