"""The durable store: inbox, attempts, links, cursors and encrypted credentials.

``Store.open(url)`` opens SQLite (default, WAL) or PostgreSQL (psycopg 3) and migrates the
schema to the newest revision. See ``pontes.store.store.Store`` for the repositories.
"""

from .budgets import StoreRateBudgets
from .cursors import CursorPosition, CursorState
from .database import head_revision, migrate, open_engine, schema_revision
from .events import (
    AttemptRecord,
    Claimed,
    EventDetail,
    EventSummary,
    NewEvent,
    Outcome,
    ReplayOutcome,
)
from .links import LinkGroup, StoreLinks
from .schema import EVENT_STATUSES, utcnow
from .store import Store
from .vault import OAuthToken

__all__ = [
    "EVENT_STATUSES",
    "AttemptRecord",
    "Claimed",
    "CursorPosition",
    "CursorState",
    "EventDetail",
    "EventSummary",
    "LinkGroup",
    "NewEvent",
    "OAuthToken",
    "Outcome",
    "ReplayOutcome",
    "Store",
    "StoreLinks",
    "StoreRateBudgets",
    "head_revision",
    "migrate",
    "open_engine",
    "schema_revision",
    "utcnow",
]
