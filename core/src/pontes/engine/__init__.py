"""The engine: durable inbox, a queue that runs events in order with retries and dead
letters, and polling.

``Engine(runtime, store, settings)`` bundles them for one process; the server starts it
in its lifespan, ``pontes worker`` on its own. The queue is the in-process ``Runner`` on
SQLite and a Procrastinate worker (``ClusterQueue``) on PostgreSQL; see
``pontes.engine.queue``, ``docs/engine.md`` and ``docs/scaling.md``.
"""

from .attempts import AttemptRunner
from .backoff import Backoff
from .cluster import ClusterQueue
from .engine import Engine
from .inbox import Answer, Delivery, Inbox, decode_body
from .metrics import Metrics
from .poller import Poller
from .queue import EventQueue
from .runner import Runner
from .settings import Settings

__all__ = ["Answer", "AttemptRunner", "Backoff", "ClusterQueue", "Delivery", "Engine",
           "EventQueue", "Inbox", "Metrics", "Poller", "Runner", "Settings", "decode_body"]
