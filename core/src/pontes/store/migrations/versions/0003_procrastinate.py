"""Events run through a queue: Procrastinate on PostgreSQL, the table itself on SQLite.

- ``events`` loses ``lease_until`` and ``claimed_by``: PostgreSQL workers are Procrastinate's
  to track, and on SQLite one process owns the store.
- ``events`` gains ``deferrals``: attempts put off because a vendor budget had no call
  free soon, which do not count against ``max_attempts``.
- ``cursors`` gains ``next_poll_at``, when the cluster next polls that trigger.
- On PostgreSQL: Procrastinate 3.10's schema; a trigger that wakes the workers when a job
  holding a lock ends (Procrastinate only notifies new jobs, so the next event of a record
  would otherwise wait for the polling interval); and one job for every event already
  waiting or running, so that an upgraded installation loses none.

Revision ID: 0003
Revises: 0002
Create Date: 2025-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

WAKE_ON_RELEASE = """
CREATE FUNCTION pontes_notify_lock_released_v1()
    RETURNS trigger
    LANGUAGE plpgsql
AS $$
DECLARE
    payload text;
BEGIN
    -- The payload of Procrastinate's own "job_inserted" notification: it makes every
    -- listening worker look for a job, and the next job of the released lock is one.
    payload := json_build_object('type', 'job_inserted', 'job_id', OLD.id)::text;
    PERFORM pg_notify('procrastinate_queue_v1#' || OLD.queue_name, payload);
    PERFORM pg_notify('procrastinate_any_queue_v1', payload);
    RETURN NULL;
END;
$$;

CREATE TRIGGER pontes_jobs_notify_lock_released_v1
    AFTER UPDATE OF status ON procrastinate_jobs
    FOR EACH ROW WHEN (OLD.status = 'doing' AND NEW.status <> 'doing' AND OLD.lock IS NOT NULL)
    EXECUTE PROCEDURE pontes_notify_lock_released_v1();

CREATE TRIGGER pontes_jobs_notify_lock_deleted_v1
    AFTER DELETE ON procrastinate_jobs
    FOR EACH ROW WHEN (OLD.status = 'doing' AND OLD.lock IS NOT NULL)
    EXECUTE PROCEDURE pontes_notify_lock_released_v1();
"""

QUEUE_WAITING_EVENTS = """
INSERT INTO procrastinate_jobs (queue_name, task_name, priority, lock, args)
SELECT 'pontes', 'pontes.run_event', 0,
       CASE WHEN entity_key IS NULL THEN NULL ELSE integration || ':' || entity_key END,
       jsonb_build_object('event_id', id)
  FROM events
 WHERE status IN ('received', 'running')
 ORDER BY id
"""

DROP_PROCRASTINATE = """
DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs,
    procrastinate_workers CASCADE;
DO $$
DECLARE
    found record;
BEGIN
    FOR found IN SELECT oid::regprocedure AS name FROM pg_proc
                  WHERE proname LIKE 'procrastinate\\_%' OR proname LIKE 'pontes\\_notify\\_%'
    LOOP
        EXECUTE 'DROP FUNCTION ' || found.name || ' CASCADE';
    END LOOP;
    FOR found IN SELECT typname FROM pg_type
                  WHERE typname LIKE 'procrastinate\\_%' AND typtype IN ('e', 'c')
    LOOP
        EXECUTE 'DROP TYPE IF EXISTS ' || quote_ident(found.typname) || ' CASCADE';
    END LOOP;
END;
$$;
"""


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("claimed_by")
        batch.add_column(sa.Column("deferrals", sa.Integer, nullable=False,
                                   server_default="0"))
    with op.batch_alter_table("cursors") as batch:
        batch.add_column(sa.Column("next_poll_at", sa.DateTime(timezone=True)))
    if op.get_bind().dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager  # pontes[postgres]

    # psycopg runs a whole script in one call when it has no parameters
    driver = op.get_bind().connection.driver_connection
    driver.execute(SchemaManager.get_schema())
    driver.execute(WAKE_ON_RELEASE)
    op.execute(QUEUE_WAITING_EVENTS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.get_bind().connection.driver_connection.execute(DROP_PROCRASTINATE)
    with op.batch_alter_table("cursors") as batch:
        batch.drop_column("next_poll_at")
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("claimed_by", sa.BigInteger))
        batch.drop_column("deferrals")
