"""Prometheus metrics of one server process (``/metrics``).

Counters count what this process did since it started; gauges that describe the store
(queue depth, dead letters, last success) are refreshed from the database when scraped,
so they are right even with several processes.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

CONTENT_TYPE = CONTENT_TYPE_LATEST

_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)


class Metrics:
    """The metrics of one app, in their own registry (so several apps can coexist)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.received = Counter("pontes_events_received", "Events stored from webhooks and polls",
                                ["integration", "source"], registry=r)
        self.duplicates = Counter("pontes_events_duplicate",
                                  "Deliveries of events already stored (not run again)",
                                  ["integration"], registry=r)
        self.rejected = Counter("pontes_events_rejected",
                                "Deliveries stored as rejected (unparseable, too large)",
                                ["integration"], registry=r)
        self.ignored = Counter("pontes_events_ignored",
                               "Deliveries stored as ignored (no event the recipe uses)",
                               ["integration"], registry=r)
        self.succeeded = Counter("pontes_events_succeeded", "Events run successfully",
                                 ["integration"], registry=r)
        self.failed = Counter("pontes_events_failed",
                              "Attempts that failed (retried later, or the event died)",
                              ["integration"], registry=r)
        self.dead = Counter("pontes_events_dead", "Events that went to the dead letters",
                            ["integration"], registry=r)
        self.attempt_seconds = Histogram("pontes_attempt_duration_seconds",
                                         "How long one run of an event took",
                                         ["integration", "outcome"], buckets=_LATENCY_BUCKETS,
                                         registry=r)
        self.vendor_calls = Counter("pontes_vendor_calls", "Calls to vendor APIs",
                                    ["connection", "method", "status"], registry=r)
        self.vendor_seconds = Histogram("pontes_vendor_call_duration_seconds",
                                        "Duration of calls to vendor APIs", ["connection"],
                                        buckets=_LATENCY_BUCKETS, registry=r)
        self.queue_depth = Gauge("pontes_queue_depth",
                                 "Events waiting (received) or running, per integration",
                                 ["integration", "status"], registry=r)
        self.dead_letters = Gauge("pontes_dead_letters", "Events currently dead",
                                  ["integration"], registry=r)
        self.last_success = Gauge("pontes_last_success_timestamp_seconds",
                                  "When an event of the integration last succeeded (Unix time)",
                                  ["integration"], registry=r)
        self.oldest_waiting = Gauge("pontes_oldest_waiting_event_timestamp_seconds",
                                    "When the oldest event still waiting to run was received "
                                    "(Unix time), per integration", ["integration"], registry=r)
        self.poll_last_success = Gauge("pontes_poll_last_success_timestamp_seconds",
                                       "When a polling trigger last polled successfully",
                                       ["integration", "trigger"], registry=r)
        self.needs_login = Gauge("pontes_connection_needs_login",
                                 "1 while an OAuth connection needs a login (revoked or "
                                 "expired refresh token, or never logged in)",
                                 ["connection"], registry=r)

    def login_status(self, needs_login: dict[str, bool]) -> None:
        """Set ``pontes_connection_needs_login`` (1 or 0) for every OAuth connection."""
        for connection, needed in needs_login.items():
            self.needs_login.labels(connection).set(1 if needed else 0)

    def vendor_call(self, connection: str, method: str, status: int | None,
                    seconds: float) -> None:
        """A ``pontes.http`` call observer: counts one vendor call."""
        self.vendor_calls.labels(connection, method, "error" if status is None else str(status)).inc()
        self.vendor_seconds.labels(connection).observe(seconds)

    def refresh(self, counts: dict[tuple[str, str], int],
                last_successes: dict[str, datetime],
                oldest_waiting: dict[str, datetime] | None = None) -> None:
        """Set the store-derived gauges from ``EventRepository`` figures."""
        integrations = {integration for integration, _ in counts} | set(last_successes)
        self.oldest_waiting.clear()
        for integration, when in (oldest_waiting or {}).items():
            self.oldest_waiting.labels(integration).set(when.timestamp())
        for integration in integrations:
            for status in ("received", "running"):
                self.queue_depth.labels(integration, status).set(counts.get((integration, status), 0))
            self.dead_letters.labels(integration).set(counts.get((integration, "dead"), 0))
        for integration, when in last_successes.items():
            self.last_success.labels(integration).set(when.timestamp())

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
