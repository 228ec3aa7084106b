"""The overview page's queries: each integration's last 24 hours, its queue, and the state
of its connections."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..oauth.wiring import login_statuses
from ..store import utcnow
from ..store.database import reading
from ..store.schema import events
from .connections import budget_uses
from .context import AdminContext
from .models import IntegrationHealth

WINDOW = timedelta(hours=24)


def _recent_counts(engine, since: datetime) -> dict[tuple[str, str], int]:
    """Events received since ``since``, by integration and status."""
    query = (select(events.c.integration, events.c.status, func.count())
             .where(events.c.received_at >= since)
             .group_by(events.c.integration, events.c.status))
    with reading(engine) as connection:
        return {(name, status): count for name, status, count in connection.execute(query)}


def _waiting(engine) -> dict[str, int]:
    """Events waiting for a run (first or again) or running, by integration."""
    query = (select(events.c.integration, func.count())
             .where(events.c.status.in_(("received", "running")))
             .group_by(events.c.integration))
    with reading(engine) as connection:
        return dict(connection.execute(query).all())


def connection_state(login, limited: bool, checked) -> str:
    """A connection's state in the operator's words (``checked``: its last credentials
    check on the Connections page, if any)."""
    if login.state == "needs_login":
        return "needs OAuth login"
    if limited:
        return "rate-limited now"
    if checked is not None:
        return "credentials OK" if checked.ok else f"credentials failed: {checked.message}"
    return "logged in with OAuth" if login.state == "logged_in" else "credentials not checked yet"


async def overview(admin: AdminContext) -> list[IntegrationHealth]:
    """One entry per configured integration."""
    store = admin.store
    recent = await store.run(_recent_counts, store.engine, utcnow() - WINDOW)
    waiting = await store.run(_waiting, store.engine)
    oldest = await store.run(store.events.oldest_waiting)
    successes = await store.run(store.events.last_successes)
    logins = await store.run(login_statuses, admin.runtime, store.vault)
    limited = {name for name, use in (await budget_uses(admin)).items() if use.limited}
    entries = []
    for name, integration in admin.runtime.integrations.items():
        received = sum(count for (which, _), count in recent.items() if which == name)
        entries.append(IntegrationHealth(
            integration=name, received_24h=received,
            succeeded_24h=recent.get((name, "succeeded"), 0),
            dead_24h=recent.get((name, "dead"), 0),
            last_success_at=successes.get(name), waiting=waiting.get(name, 0),
            oldest_waiting_at=oldest.get(name),
            connections={c.name: connection_state(logins[c.name], c.name in limited,
                                                  admin.checks.get(c.name))
                         for c in integration.connections.values()}))
    return entries

