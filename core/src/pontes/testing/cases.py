"""What a plugin's test class gives the standard suite: webhook samples and action cases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ..connection import Connection


class WebhookSample(NamedTuple):
    """A documented delivery and the event types its trigger must parse out of it.

    ``body`` is the raw bytes, or a dict to send as JSON or as a form (per
    ``content_type``); ``events`` lists the expected event types in order.
    """

    trigger: str
    body: Any
    content_type: str = "application/json"
    events: Sequence[str] = ()


class ActionCase(NamedTuple):
    """One call of an action against a fresh sandbox.

    ``params`` is the input (a dict or model), or an async function that prepares the
    sandbox through the connection (creating the record to fetch, say) and returns the
    input. ``check(output)`` may assert more about the answer; returning ``False`` fails.

    The answer must validate against the action's output model and must not be empty
    (``None`` or an empty list). ``expect_empty=True`` turns that round: the case is one
    where nothing is the right answer (an e-mail nobody has), which only an action whose
    output model admits ``None`` or an empty list can give.
    """

    action: str
    params: Any = None
    check: Callable[[Any], object] | None = None
    expect_empty: bool = False

    async def resolve(self, connection: Connection) -> Any:
        """The input for the call, preparing the sandbox first when ``params`` is a function."""
        if callable(self.params):
            prepared: Awaitable[Any] = self.params(connection)
            return await prepared
        return self.params
