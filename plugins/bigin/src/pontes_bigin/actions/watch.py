"""The watch channel (``/actions/watch``): register, list, remove and renew.

``POST /actions/watch`` with ``{"watch": [{channel_id, events, channel_type: "web",
notify_url, token, channel_expiry}]}`` starts (or, for a channel id Bigin knows,
replaces) a channel; ``GET /actions/watch`` lists the live ones; ``DELETE
/actions/watch?channel_ids=`` stops them. A channel expires at ``channel_expiry`` (a week
at most), so ``renew_watches`` registers again every channel of this connection that
would expire within ``RENEW_MARGIN``; the ``watch_renewal`` polling trigger runs it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from pontes.plugin import (
    ById,
    Connection,
    NoParams,
    NotFoundError,
    VendorError,
    WebhookInfo,
    WebhookSubscription,
)

from ..channels import (
    EVENTS_OF,
    channel_id_for,
    event_of,
    expiry_after,
    token_matches,
    watch_token_of,
)
from ..connector import kit
from ..ids import bigin_id
from ..mappers import moment

WATCH_PATH = "/actions/watch"
RENEW_MARGIN = timedelta(hours=2)
"""A channel expiring sooner than this is renewed."""


async def channels(connection: Connection) -> list[dict[str, Any]]:
    """The organisation's live channels (none for a 204)."""
    body = await connection.client.get_json(WATCH_PATH)
    rows = body.get("watch") if isinstance(body, dict) else None
    return [row for row in rows or [] if isinstance(row, dict)]


async def enable(connection: Connection, channel_id: int | str, events: list[str],
                 url: str) -> dict[str, Any]:
    """Start or replace channel ``channel_id`` for ``events`` posting to ``url``, with the
    connection's token and a fresh expiry; safe to send again."""
    body = {"watch": [{"channel_id": int(channel_id), "events": events, "channel_type": "web",
                       "notify_url": url, "token": watch_token_of(connection.settings),
                       "channel_expiry": expiry_after(connection.settings.watch_hours)}]}
    answer = await connection.client.post_json(WATCH_PATH, json=body, retry_safe=True)
    [entry] = (answer or {}).get("watch") or [{}]
    if entry.get("status") != "success":
        raise VendorError(f"Bigin refused the watch: {entry.get('code')}: "
                          f"{entry.get('message')}", url=WATCH_PATH)
    return entry


def webhook_info(raw: dict[str, Any]) -> WebhookInfo:
    """A channel as pontes lists it."""
    events = [str(e) for e in raw.get("events") or []]
    return WebhookInfo(id=str(raw.get("channel_id")), event=event_of(events) or ",".join(events),
                       url=str(raw.get("notify_url") or ""))


@kit.action("webhook.register")
async def webhook_register(connection: Connection, params: WebhookSubscription) -> WebhookInfo:
    """Watch the Bigin events behind ``event`` and have them posted to ``url``."""
    events = EVENTS_OF.get(params.event)
    if events is None:
        raise ValueError(f"Bigin has no notification for {params.event!r}; "
                         f"it has {', '.join(EVENTS_OF)}")
    channel_id = channel_id_for(params.event, params.url)
    await enable(connection, channel_id, list(events), params.url)
    return WebhookInfo(id=str(channel_id), event=params.event, url=params.url)


@kit.action("webhook.list")
async def webhook_list(connection: Connection, params: NoParams) -> list[WebhookInfo]:
    """Every live channel of the organisation."""
    return [webhook_info(raw) for raw in await channels(connection)]


@kit.action("webhook.remove")
async def webhook_remove(connection: Connection, params: ById) -> NoParams:
    """Stop the channel with this id."""
    channel_id = bigin_id(params.id, "id")
    if not any(str(raw.get("channel_id")) == channel_id for raw in await channels(connection)):
        raise NotFoundError(f"Bigin has no watch channel {channel_id}", status=404)
    await connection.client.delete(WATCH_PATH, params={"channel_ids": channel_id})
    return NoParams()


async def renew_watches(connection: Connection, now: datetime | None = None) -> list[str]:
    """Register again this connection's channels (those carrying its token) that expire
    within ``RENEW_MARGIN``; returns their ids."""
    now = now or datetime.now(UTC)
    renewed = []
    for raw in await channels(connection):
        expiry = moment(raw.get("channel_expiry"))
        if not token_matches(connection.settings, raw.get("token")):
            continue
        if expiry is not None and expiry - now > RENEW_MARGIN:
            continue
        await enable(connection, raw["channel_id"], list(raw.get("events") or []),
                     str(raw.get("notify_url")))
        renewed.append(str(raw["channel_id"]))
    return renewed
