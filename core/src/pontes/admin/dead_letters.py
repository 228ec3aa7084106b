"""The dead letters page's queries: dead events grouped by the error they died of, and
replay of every dead event matching a filter."""

from __future__ import annotations

from sqlalchemy import func, select

from ..store.database import reading
from ..store.schema import events
from .context import AdminContext
from .models import DeadGroup, DeadQuery, ReplayDeadAnswer


def _groups(engine, integration: str | None) -> list[DeadGroup]:
    condition = [events.c.status == "dead"]
    if integration is not None:
        condition.append(events.c.integration == integration)
    query = (select(events.c.integration, events.c.last_error, func.count(),
                    func.max(events.c.id), func.max(events.c.finished_at))
             .where(*condition).group_by(events.c.integration, events.c.last_error)
             .order_by(func.count().desc(), func.max(events.c.id).desc()))
    with reading(engine) as connection:
        rows = connection.execute(query).all()
    return [DeadGroup(integration=name, reason=reason or "", count=count, newest_id=newest,
                      newest_at=finished) for name, reason, count, newest, finished in rows]


async def dead_groups(admin: AdminContext, query: DeadQuery) -> list[DeadGroup]:
    """Dead events grouped by integration and error, the largest groups first."""
    return await admin.store.run(_groups, admin.store.engine, query.integration)


async def replay_dead(admin: AdminContext, query: DeadQuery) -> ReplayDeadAnswer:
    """Queue again every dead event of the integration and error ``query`` names (all
    dead events when it names neither)."""
    count = await admin.store.run(admin.store.events.replay_dead, query.integration,
                                  last_error=query.reason)
    admin.wake()
    return ReplayDeadAnswer(queued=count)
