"""What a plugin's test class gives the standard suite: webhook samples and action cases,
and the builders of the inputs most cases need (a record made first, then asked for).

A case's input that needs the sandbox prepared is an async function of the connection
(a ``CaseInput``); these build the usual ones from a plugin's own drafts::

    ana = made("contact.create", Contact(name="Ana Souza", emails=["ana@example.com"]))
    ActionCase("contact.find_by_email", prepared(ana, {"email": "ANA@example.com"}))
    ActionCase("contact.get", id_of(ana))
    ActionCase("contact.update", id_of(ana, changes={"name": "Ana Lima"}))
    ActionCase("contact.find_created", created("contact.create", Contact(name="Marked")))

and ``find_created_cases`` gives the two cases every ``<entity>.find_created`` needs,
``finder_cases`` those of ``<entity>.find_by_email`` and ``<entity>.find_by_phone``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ..connection import Connection

CaseInput = Callable[["Connection"], Awaitable[Any]]
"""An async function that prepares the sandbox through a connection and answers a case's
input (or, for ``made``, the record it made)."""


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


def made(action: str, draft: Any) -> CaseInput:
    """Make a record in the sandbox by calling ``action`` with ``draft``; answers the
    record made."""

    async def make(connection: Connection) -> Any:
        return await connection.call(action, draft)

    return make


def prepared(make: CaseInput, params: Any) -> CaseInput:
    """A case input: run ``make`` in the sandbox first; ``params`` is the input, or a
    function that builds it from what ``make`` answered."""

    async def prepare(connection: Connection) -> Any:
        answer = await make(connection)
        return params(answer) if callable(params) else params

    return prepare


def id_of(make: CaseInput, **more: Any) -> CaseInput:
    """A case input: ``{"id": <the id of the record make made>, **more}`` (``changes=``
    for an update, ``status=`` to finish a deal...)."""

    async def prepare(connection: Connection) -> dict[str, Any]:
        record = await make(connection)
        return {"id": record.refs[connection.name], **more}

    return prepare


def created(action: str, draft: Any) -> CaseInput:
    """An input for ``<entity>.find_created``: ``draft`` itself (its id is its marker),
    once ``action`` created it."""
    return prepared(made(action, draft), draft)


def find_created_cases(entity: str, draft: Any,
                       check: Callable[[Any], object] | None = None) -> list[ActionCase]:
    """The two cases of ``<entity>.find_created``: ``draft`` is found once
    ``<entity>.create`` made it (``check`` may say more of what was found), and is not
    found in a sandbox where it was never made."""
    action = f"{entity}.find_created"
    return [ActionCase(action, created(f"{entity}.create", draft), check=check),
            ActionCase(action, draft, expect_empty=True)]


NOBODY = "nobody@example.com"
"""An e-mail address no sandbox record has."""


def finder_cases(entity: str, make: CaseInput, *, email: str | None = None,
                 phone: str | None = None,
                 check: Callable[[Any], object] | None = None) -> list[ActionCase]:
    """The cases of ``<entity>.find_by_email`` and ``<entity>.find_by_phone``: the record
    ``make`` made is found by ``email`` and by ``phone``, each written otherwise than it
    was stored (letter case, spaces, punctuation), and an e-mail nobody has finds
    nothing. ``check`` may say more of what was found."""
    cases: list[ActionCase] = []
    if email is not None:
        cases += [ActionCase(f"{entity}.find_by_email", prepared(make, {"email": email}),
                             check=check),
                  ActionCase(f"{entity}.find_by_email", {"email": NOBODY}, expect_empty=True)]
    if phone is not None:
        cases.append(ActionCase(f"{entity}.find_by_phone", prepared(make, {"phone": phone}),
                                check=check))
    return cases
