"""Writes of many records at once: insert, update and upsert, 100 records a call.

Bigin answers a write with one entry per record in ``data``, in the order sent, each
with its own ``status``: some records of a call may be stored while others are refused
(``MANDATORY_NOT_FOUND``, ``INVALID_DATA``, ``DUPLICATE_DATA``...). These actions return
that outcome for every record, so a caller sees which ones to fix. An upsert matches on
``duplicate_check_fields`` (``["Email"]``), else on the module's unique fields, and
says for each record whether it was inserted or updated.
"""

from __future__ import annotations

from typing import Any, Literal

from pontes.plugin import Connection
from pydantic import BaseModel, ConfigDict, Field

from ..connector import kit
from ..modules import Module
from .records import write

MAX_RECORDS = 1000
"""The most records one action takes (ten calls)."""


class RecordWrites(BaseModel):
    """Records of one module to insert or update (each update carries its ``id``)."""

    model_config = ConfigDict(extra="forbid")

    module: Module
    records: list[dict[str, Any]] = Field(min_length=1, max_length=MAX_RECORDS)


class RecordUpserts(RecordWrites):
    """Records to upsert, matched on ``duplicate_check_fields`` (API names, in order)."""

    duplicate_check_fields: list[str] = Field(default_factory=list)


class RecordOutcome(BaseModel):
    """What Bigin did with one record: ``status`` ``success`` or ``error``, its ``code``
    and ``message``, the record's ``id``, and for an upsert the ``action`` taken and the
    ``duplicate_field`` that matched."""

    model_config = ConfigDict(extra="forbid")

    index: int
    status: Literal["success", "error"]
    code: str
    message: str | None = None
    id: str | None = None
    action: Literal["insert", "update"] | None = None
    duplicate_field: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


def outcome(index: int, entry: dict[str, Any]) -> RecordOutcome:
    """One entry of a write answer as a ``RecordOutcome``."""
    details = entry.get("details") if isinstance(entry.get("details"), dict) else {}
    succeeded = entry.get("status") == "success"
    return RecordOutcome(
        index=index, status="success" if succeeded else "error",
        code=str(entry.get("code") or ("SUCCESS" if succeeded else "ERROR")),
        message=entry.get("message"), id=str(details["id"]) if succeeded and details.get("id")
        else None, action=entry.get("action") if entry.get("action") in ("insert", "update")
        else None, duplicate_field=entry.get("duplicate_field"), details=details)


@kit.action("bigin.records.insert", input=RecordWrites, output=list[RecordOutcome])
async def records_insert(connection: Connection, params: RecordWrites) -> list[RecordOutcome]:
    """Insert records, 100 a call, with each record's outcome."""
    entries = await write(connection, "POST", f"/{params.module}", params.records)
    return [outcome(index, entry) for index, entry in enumerate(entries)]


@kit.action("bigin.records.update", input=RecordWrites, output=list[RecordOutcome])
async def records_update(connection: Connection, params: RecordWrites) -> list[RecordOutcome]:
    """Update records by their ``id``, 100 a call, with each record's outcome; safe to
    send again, as it only sets values."""
    if any(not record.get("id") for record in params.records):
        raise ValueError("every record to update needs its id")
    entries = await write(connection, "PUT", f"/{params.module}", params.records,
                          retry_safe=True)
    return [outcome(index, entry) for index, entry in enumerate(entries)]


@kit.action("bigin.records.upsert", input=RecordUpserts, output=list[RecordOutcome])
async def records_upsert(connection: Connection, params: RecordUpserts) -> list[RecordOutcome]:
    """Insert or update records matched on ``duplicate_check_fields``, 100 a call, with
    each record's outcome; safe to send again, as a second upsert finds the first."""
    extra = ({"duplicate_check_fields": params.duplicate_check_fields}
             if params.duplicate_check_fields else None)
    entries = await write(connection, "POST", f"/{params.module}/upsert", params.records,
                          retry_safe=True, extra=extra)
    return [outcome(index, entry) for index, entry in enumerate(entries)]
