"""The calls every kind of record is made of: create one, read one, search by ``query``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pontes.plugin import Connection, NotFoundError, Record, VendorError

from ..client import API_PREFIX, created_ids, fetch_all
from ..ids import amocrm_id

R = TypeVar("R", bound=Record)

MAX_QUERY = 500
"""The longest text searched for: longer than any e-mail address (254), phone or name a
person types, and short enough for the URL of the search."""


async def get_one(connection: Connection, entity: str, record_id: str, *,
                  with_: str | None = None) -> dict[str, Any]:
    """One record (``GET /api/v4/<entity>/<id>``); ``NotFoundError`` when there is none
    (amoCRM answers 204 for an id it does not have)."""
    record_id = str(amocrm_id(record_id, "id"))
    params = {"with": with_} if with_ else None
    body = await connection.client.get_json(f"{API_PREFIX}/{entity}/{record_id}", params=params)
    if not isinstance(body, dict) or not body.get("id"):
        raise NotFoundError(f"amoCRM has no {entity} with id {record_id}", status=404)
    return body


async def create_one(connection: Connection, entity: str, payload: dict[str, Any]) -> int:
    """POST one record (amoCRM takes an array) and return its new id."""
    path = f"{API_PREFIX}/{entity}"
    body = await connection.client.post_json(path, json=[{**payload, "request_id": "0"}])
    return created_ids(body, entity, path)[0]


async def read_back(connection: Connection, entity: str, record_id: int, draft: dict[str, Any],
                    to_canonical: Callable[[dict[str, Any], str], R], *,
                    with_: str | None = None) -> R:
    """The record just created or changed, as amoCRM now has it; when reading it fails,
    the record built from what was sent and its id, so a failed read never makes a run
    write it again."""
    try:
        raw = await get_one(connection, entity, str(record_id), with_=with_)
    except VendorError:
        raw = {**draft, "id": record_id}
    return to_canonical(raw, connection.name)


async def search(connection: Connection, entity: str, query: str, *,
                 with_: str | None = None, most: int = 50) -> list[dict[str, Any]]:
    """Records whose filled fields match ``query`` (amoCRM's full-text ``query``); a
    ``ValueError`` for a text longer than ``MAX_QUERY``."""
    if len(query) > MAX_QUERY:
        raise ValueError(f"the text to search for is longer than {MAX_QUERY} characters")
    params = {"query": query, **({"with": with_} if with_ else {})}
    return await fetch_all(connection.client, f"{API_PREFIX}/{entity}", entity, params=params,
                           allowed_hosts=connection.settings.allowed_hosts, most=most)
