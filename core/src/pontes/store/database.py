"""Opening a store: the SQLAlchemy engine, SQLite's settings, and migrations.

SQLite runs in WAL mode with ``synchronous=NORMAL``: a commit is durable as soon as it is
in the write-ahead log, so a crash or ``kill -9`` of the process loses nothing that was
committed; only a power cut or kernel crash can lose the last commits before a
checkpoint. Every transaction starts with ``BEGIN IMMEDIATE`` so that writers queue on
the busy timeout instead of failing with "database is locked" when a read turns into a
write (read-only work goes through ``reading`` and takes no write lock). New files are
created with ``auto_vacuum=INCREMENTAL``, so that a purge can give space back to the file
system (``pontes.store.retention``). PostgreSQL is
used through psycopg 3 (``postgresql+psycopg://...``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.pool import StaticPool

from ..errors import ConfigError

MIGRATIONS = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_MIGRATION_LOCK = 0x706F6E746573  # "pontes": serialises migrations of concurrent processes
READ_ONLY = "pontes_read_only"


def normalize_url(url: str | URL) -> URL:
    """Parse a store URL, choosing psycopg 3 for a bare ``postgresql://`` URL."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with its own wording
        raise ConfigError(f"store: not a database URL: {exc}") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ConfigError(f"store: unsupported database {parsed.get_backend_name()!r}; "
                          "use sqlite:///path.db or postgresql+psycopg://user@host/db")
    return parsed


def open_engine(url: str | URL, *, pool_size: int = 10) -> Engine:
    """An engine for ``url`` with the settings pontes relies on."""
    parsed = normalize_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    _require_postgres_extra()
    return create_engine(parsed, pool_size=pool_size, max_overflow=pool_size,
                         pool_pre_ping=True)


def _require_postgres_extra() -> None:
    """Stop with the install command when psycopg or Procrastinate is missing."""
    import importlib.util

    missing = [name for name in ("psycopg", "procrastinate")
               if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(f"store: a PostgreSQL store needs {' and '.join(missing)}: "
                          "pip install 'pontes[postgres]'")


def _sqlite_engine(url: URL) -> Engine:
    memory = url.database in (None, "", ":memory:")
    if not memory:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        **({"poolclass": StaticPool} if memory else {}),
    )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below rule
        cursor = dbapi_connection.cursor()
        if not memory:
            # Before WAL: a new file takes its vacuum mode from the first statement that
            # writes it; an older file keeps its own until a VACUUM (pontes.store.retention)
            cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A connection for a read-only transaction (on SQLite it takes no write lock)."""
    with engine.connect() as connection:
        yield connection.execution_options(**{READ_ONLY: True})


def _alembic_config() -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (``alembic upgrade head``)."""
    config = _alembic_config()
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                               {"key": _MIGRATION_LOCK})
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_revision(engine: Engine) -> str | None:
    """The migration the database is at (``None`` for an empty database)."""
    with reading(engine) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    """The newest migration shipped with this version of pontes."""
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()
