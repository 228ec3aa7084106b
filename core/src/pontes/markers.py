"""Markers: how a record a recipe created is found again when nobody recorded its id.

A run can stop between the vendor creating a record and pontes writing down its id: the
process is killed, the answer times out, the connection drops, the vendor answers 5xx
after committing. The next attempt must then find that record instead of creating a
second one. So every record a recipe creates (``RunContext.create``) carries a
**marker**: its pontes ``id``, derived from the integration, the event and the step, so
every attempt of that step gives the same one.

A plugin writes the marker at the vendor when it creates the record, in a field the
vendor keeps for an external id where there is one, otherwise as a token in the record's
text (``marker_token``); and it declares ``<entity>.find_created``, which finds the
record created from a draft by that marker (``has_marker`` reads a text for it).
"""

from __future__ import annotations

import uuid

from .models import Record

MARKER_NAMESPACE = uuid.UUID("0b5e8f0e-6c1d-4f7e-9a43-5f7c2d1e8a90")
"""The namespace of the UUIDs that markers are."""

TOKEN_PREFIX = "pontes:"
"""What a marker written into a record's text starts with."""


def marker_for(integration: str, event_key: str, step: str) -> str:
    """The marker of the record that ``step`` of an event creates for ``integration``:
    the same for every attempt of that step, different for every other step and event."""
    return str(uuid.uuid5(MARKER_NAMESPACE, "\n".join((integration, event_key, step))))


def marker_token(record: Record) -> str:
    """The text a plugin writes into a record to mark it: ``pontes:<the record's id>``."""
    return f"{TOKEN_PREFIX}{record.id}"


def has_marker(text: str | None, record: Record) -> bool:
    """Whether ``text`` (a vendor record's content) carries ``record``'s marker token."""
    return bool(text) and marker_token(record) in text
