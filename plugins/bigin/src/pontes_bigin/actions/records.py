"""The calls every kind of record is made of: read one, search, write one or many.

Bigin's search (``GET /<module>/search``) takes exactly one of ``criteria``
(``(Field:equals:value)``), ``email``, ``phone`` or ``word``, and answers 204 when
nothing matches. Writes send ``{"data": [...]}``, at most 100 records, and read each
record's own ``status`` in the answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pontes.plugin import Connection, NotFoundError, Record, VendorError

from ..client import MAX_WRITE, fetch_all, rows_of, succeeded, write_entries
from ..ids import bigin_id

R = TypeVar("R", bound=Record)

MAX_SEARCH = 500
"""The longest text searched for: longer than any e-mail address, phone or name a person
types, and short enough for the URL of the search."""

CRITERIA_SPECIALS = ("\\", "(", ")", ",")
"""Characters a ``criteria`` value escapes with a backslash."""


def criteria_value(text: str) -> str:
    """``text`` as a value inside ``(Field:equals:value)``."""
    for special in CRITERIA_SPECIALS:
        text = text.replace(special, "\\" + special)
    return text


async def get_one(connection: Connection, module: str, record_id: str) -> dict[str, Any]:
    """One record (``GET /<module>/<id>``, an array of one); ``NotFoundError`` when Bigin
    has none (it answers 204)."""
    record_id = bigin_id(record_id, "id")
    rows = rows_of(await connection.client.get_json(f"/{module}/{record_id}"))
    if not rows:
        raise NotFoundError(f"Bigin has no {module} record with id {record_id}", status=404)
    return rows[0]


async def search(connection: Connection, module: str, *, most: int = 50,
                 **by: str) -> list[dict[str, Any]]:
    """Records of ``module`` matching one of ``criteria``, ``email``, ``phone`` or
    ``word``; a ``ValueError`` for a text longer than ``MAX_SEARCH``."""
    [(key, value)] = by.items()
    if len(value) > MAX_SEARCH:
        raise ValueError(f"the text to search for is longer than {MAX_SEARCH} characters")
    return await fetch_all(connection.client, f"/{module}/search", params={key: value},
                           most=most)


async def find_equal(connection: Connection, module: str, field: str,
                     value: str) -> list[dict[str, Any]]:
    """Records whose ``field`` equals ``value`` (``criteria=(field:equals:value)``)."""
    return await search(connection, module, criteria=f"({field}:equals:{criteria_value(value)})")


async def write(connection: Connection, method: str, path: str,
                records: list[dict[str, Any]], *, retry_safe: bool = False,
                extra: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
    """Send ``records`` in calls of at most 100 and return Bigin's answer for each, in
    the order sent (``status``, ``code``, ``message``, ``details``)."""
    answers: list[dict[str, Any]] = []
    for start in range(0, len(records), MAX_WRITE):
        chunk = records[start:start + MAX_WRITE]
        body = {"data": chunk, **(extra or {})}
        answer = await connection.client.request(method, path, json=body, retry_safe=retry_safe)
        answers += write_entries(answer.json() if answer.content else None, len(chunk), path)
    return answers


async def insert_one(connection: Connection, module: str, record: dict[str, Any]) -> str:
    """Insert one record and return its id; a ``VendorValidationError`` with Bigin's code
    when it was refused."""
    path = f"/{module}"
    [entry] = await write(connection, "POST", path, [record])
    return str(succeeded(entry, path)["id"])


async def update_one(connection: Connection, module: str, record_id: str,
                     changes: dict[str, Any]) -> str:
    """Write ``changes`` to one record (``PUT /<module>/<id>``): Bigin keeps the fields
    left out, so it is safe to send again."""
    record_id = bigin_id(record_id, "id")
    path = f"/{module}/{record_id}"
    changes = {key: value for key, value in changes.items() if key != "id"}
    [entry] = await write(connection, "PUT", path, [changes], retry_safe=True)
    succeeded(entry, path)
    return record_id


async def read_back(connection: Connection, module: str, record_id: str, sent: dict[str, Any],
                    to_canonical: Callable[[dict[str, Any], str], R]) -> R:
    """The record just written, as Bigin now has it; when reading it fails, the record
    built from what was sent and its id, so a failed read never makes a run write again."""
    try:
        raw = await get_one(connection, module, record_id)
    except VendorError:
        raw = {**sent, "id": record_id}
    return to_canonical(raw, connection.name)
