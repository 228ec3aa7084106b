"""Satisfaction surveys: ``GET /survey/questions`` and ``GET /survey/responses``.

Both answer ``{"hasMore": bool, "items": [...]}`` (the envelope of the responses API,
unlike the bare arrays of ``/tickets``), ordered by id and paged with ``limit`` (1 to
100, default 100) and ``startingAfter`` (the id of the last item already read), the
paging of Movidesk's newer APIs.

- a response: ``id`` (short opaque text), ``questionId``, ``clientId``, ``type`` (1
  satisfied/unsatisfied, 2 smiley faces, 3 NPS, 4 yes/no), ``ticketId`` (a number),
  ``responseDate`` (UTC without an offset, seven fraction digits), ``commentary``,
  ``value``;
- a question (its layout is not documented; this is what exports of it show): ``id``,
  ``type``, ``isActive`` and ``languages`` (``cultureId``, ``description``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .answers import ApiError
from .behaviours import Gate
from .state import MovideskState

SURVEY_KEYS = ("survey_questions", "survey_responses")
MAX_LIMIT = 100


def seed(state: MovideskState, key: str, records: Iterable[dict[str, Any]]) -> list[str]:
    """Store survey questions or responses (``key`` is a ``SURVEY_KEYS`` name)."""
    table = getattr(state, key)
    stored = []
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise ApiError(400, f"{key}: every item needs a text id, got {record!r}.")
        table[record["id"]] = dict(record)
        stored.append(record["id"])
    return stored


def survey_routes(state: MovideskState, gate: Gate, base_path: str) -> list[Route]:
    """The two survey endpoints under ``base_path``, behind ``gate``."""

    async def questions(request: Request) -> Response:
        """A page of the survey's questions."""
        return JSONResponse(_page(state.survey_questions, request))

    async def responses(request: Request) -> Response:
        """A page of the survey's responses."""
        return JSONResponse(_page(state.survey_responses, request))

    return [
        Route(f"{base_path}/survey/questions", gate.guard(questions), methods=["GET"]),
        Route(f"{base_path}/survey/responses", gate.guard(responses), methods=["GET"]),
    ]


def _page(table: dict[str, dict[str, Any]], request: Request) -> dict[str, Any]:
    params = request.query_params
    text = params.get("limit", str(MAX_LIMIT)).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}, got {text!r}.")
    limit = int(text)
    after = params.get("startingAfter")
    ids = sorted(table)
    if after:
        ids = [i for i in ids if i > after]
    return {"hasMore": len(ids) > limit, "items": [table[i] for i in ids[:limit]]}
