"""Bigin's watch (notification) channels as pontes uses them.

A channel has a numeric ``channel_id``, the events it watches (``Contacts.create``,
``Pipelines.edit``...), the ``notify_url`` Bigin posts to, a ``token`` Bigin sends back
with every notification (at most 50 characters) and a ``channel_expiry`` after which
Bigin stops notifying. pontes gives each (event, URL) pair its own channel id, derived
from both, so registering again updates the same channel; and the connection's token,
``watch_token`` or else one derived from the client secret, so every notification can
be checked.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

from .modules import ACCOUNTS, CONTACTS, PIPELINES

EVENTS_OF: dict[str, tuple[str, ...]] = {
    "deal.created": (f"{PIPELINES}.create",),
    "deal.changed": (f"{PIPELINES}.edit",),
    "contact.changed": (f"{CONTACTS}.create", f"{CONTACTS}.edit"),
    "company.changed": (f"{ACCOUNTS}.create", f"{ACCOUNTS}.edit"),
}
"""The Bigin events a pontes trigger event needs watched."""

CHANNEL_ID_DIGITS = 15
"""Length of the channel ids pontes makes (Bigin takes a long)."""


def channel_id_for(event: str, url: str) -> int:
    """The channel id of ``event`` posted to ``url``: the same on every registration."""
    digest = hashlib.sha256(f"{event}\n{url}".encode()).hexdigest()
    return int(digest, 16) % 10 ** (CHANNEL_ID_DIGITS - 1) + 10 ** (CHANNEL_ID_DIGITS - 1)


def watch_token_of(settings: Any) -> str:
    """The ``token`` of a connection's channels: ``watch_token``, else 40 hex characters
    derived from ``client_secret``."""
    configured = getattr(settings, "watch_token", None)
    if configured is not None:
        return configured.get_secret_value()
    secret = settings.client_secret.get_secret_value().encode()
    return hmac.new(secret, b"bigin-watch-token", hashlib.sha256).hexdigest()[:40]


def token_matches(settings: Any, sent: Any) -> bool:
    """Whether ``sent`` is the connection's channel token (compared in constant time)."""
    return isinstance(sent, str) and hmac.compare_digest(
        sent.encode("utf-8", "surrogatepass"), watch_token_of(settings).encode())


def event_of(events: list[str]) -> str | None:
    """The pontes event a channel's Bigin events serve (the first they cover)."""
    for event, needed in EVENTS_OF.items():
        if set(needed) <= set(events):
            return event
    return None


def expiry_after(hours: int, now: datetime | None = None) -> str:
    """The ``channel_expiry`` ``hours`` from now, as Bigin writes times."""
    moment = (now or datetime.now(UTC)) + timedelta(hours=hours)
    return moment.replace(microsecond=0).isoformat()
