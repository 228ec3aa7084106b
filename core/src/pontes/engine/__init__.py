"""The engine: durable inbox, ordered runner with retries and dead letters, pollers.

``Engine(runtime, store, settings)`` bundles them for one process; the server starts it
in its lifespan. See ``docs/engine.md`` for the guarantees.
"""

from .backoff import Backoff
from .engine import Engine
from .inbox import Answer, Delivery, Inbox, decode_body
from .metrics import Metrics
from .poller import Poller
from .runner import Runner
from .settings import Settings

__all__ = ["Answer", "Backoff", "Delivery", "Engine", "Inbox", "Metrics", "Poller", "Runner",
           "Settings", "decode_body"]
