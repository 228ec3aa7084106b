"""Requests: JSON that a helpdesk automation POSTs to pontes to ask a recipe for something.

Some helpdesks let an operator end a rule with "send a POST request" carrying JSON of the
operator's making, with the helpdesk's placeholders filled in (the ticket's id, say). A
recipe that takes such requests describes them with a ``RequestSpec``: the body's model,
the event it becomes, the key that makes it happen once, a check of the body against the
other systems' metadata, and an example for ``pontes hooks`` to print. The server's
``POST /requests/<integration>/<token>`` stores an accepted request in the inbox before
answering it; the engine then runs it with retries like any other event.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..errors import PermanentFailure


@dataclass(frozen=True)
class FieldProblem:
    """A field of a request that the receiving systems cannot take: its path in the body
    (``fields.pipeline_id``) and why."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class RequestRefused(PermanentFailure):
    """A stored request turned out to be unusable when it ran (its check failed)."""

    def __init__(self, problems: list[FieldProblem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class RequestSpec:
    """How a recipe takes requests (see the module docstring).

    - ``role``: the role whose automation sends them (its connection is the event's);
    - ``event``: the type of the event a request becomes;
    - ``model``: the body's pydantic model (invalid bodies get 422 naming each field);
    - ``key(body)``: the idempotency key, so that the same request is done once;
    - ``entity_key(body)``: orders requests about one record;
    - ``check(integration, body)`` (an ``Integration``, which imports this module, hence
      ``Any`` below): the fields the other systems would refuse, read from
      their metadata (an empty list when all is well); raises when the metadata cannot be
      read, in which case the request is stored and checked again when it runs;
    - ``example(integration)``: a body to paste into the automation.
    """

    role: str
    event: str
    model: type[BaseModel]
    key: Callable[[Any], str]
    entity_key: Callable[[Any], str]
    check: Callable[[Any, Any], Awaitable[list[FieldProblem]]]
    example: Callable[[Any], Awaitable[dict[str, Any]]]
    description: str = ""
