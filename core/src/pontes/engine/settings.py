"""The engine's and server's knobs, with defaults for production and overrides from the
environment (tests and benchmarks use small values)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from ..errors import ConfigError

ENV_PREFIX = "PONTES_"


@dataclass(frozen=True)
class Settings:
    """How the server takes deliveries and how events run.

    - ``concurrency``: events run at once by one process;
    - ``backoff_base`` / ``backoff_cap``: seconds; retry ``n`` waits a random time between
      half and all of ``min(cap, base * 2**(n-1))``, or exactly the vendor's Retry-After;
    - ``attempt_timeout``: seconds one run may take before it counts as a retriable failure;
    - ``max_crashes``: an event whose runs stop their process (a crash, a kill) this many
      times is dead, with that reason;
    - ``shutdown_grace``: seconds running events get to finish when the process stops;
      the rest are handed back to run again;
    - ``idle_interval``: seconds between looks at the queue when nothing wakes the runner
      (with PostgreSQL, workers look at least once a second whatever it says);
    - ``heartbeat_interval`` / ``stalled_after``: seconds; with PostgreSQL a worker proves
      it is alive every ``heartbeat_interval``, and the events of a worker silent for
      ``stalled_after`` run again elsewhere. A worker that cannot prove it is alive stops
      its runs within ``heartbeat_interval + shutdown_grace``, which must be shorter;
    - ``body_limit``: largest webhook body accepted, in bytes (larger: 413);
    - ``context_timeout``: seconds a webhook answer may wait for the client context that
      some vendors show to agents (then the plain acknowledgement goes out);
    - ``header_timeout`` / ``body_timeout``: seconds a client may take to send a request's
      headers, and then its body (slower: 408 and the connection is closed);
    - ``admin_token``: the bearer token of ``/admin/api`` (without it the API answers 401);
    - ``run_events`` / ``poll``: run events (the embedded runner, or a worker with
      PostgreSQL) and polls in this process.
    """

    concurrency: int = 8
    backoff_base: float = 2.0
    backoff_cap: float = 900.0
    attempt_timeout: float = 300.0
    max_crashes: int = 3
    shutdown_grace: float = 10.0
    idle_interval: float = 1.0
    heartbeat_interval: float = 5.0
    stalled_after: float = 30.0
    body_limit: int = 1 << 20
    context_timeout: float = 2.0
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    admin_token: str | None = field(default=None, repr=False)
    run_events: bool = True
    poll: bool = True

    def __post_init__(self) -> None:
        for name in ("concurrency", "body_limit", "max_crashes"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("backoff_base", "backoff_cap", "attempt_timeout", "shutdown_grace",
                     "idle_interval", "heartbeat_interval", "stalled_after",
                     "context_timeout", "header_timeout", "body_timeout"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive, got {getattr(self, name)}")
        if self.heartbeat_interval + self.shutdown_grace >= self.stalled_after:
            raise ConfigError(
                f"PONTES_STALLED_AFTER ({self.stalled_after:g}) must be longer than "
                f"PONTES_HEARTBEAT_INTERVAL + PONTES_SHUTDOWN_GRACE ({self.heartbeat_interval:g}"
                f" + {self.shutdown_grace:g}): a worker cut off from the database must stop "
                "its runs before they are run elsewhere")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Defaults, then ``PONTES_<NAME>`` variables (``PONTES_BACKOFF_BASE=0.1``), then
        ``overrides``. A malformed value is an error naming the variable."""
        env = os.environ if environ is None else environ
        values = {}
        for item in fields(cls):
            variable = ENV_PREFIX + item.name.upper()
            if variable in env:
                values[item.name] = _convert(variable, env[variable], item.type)
        return replace(cls(**values), **overrides)


def _convert(variable: str, raw: str, kind: str):
    try:
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
        if kind == "bool":
            lowered = raw.strip().lower()
            if lowered in ("1", "true", "yes", "on"):
                return True
            if lowered in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
    except ValueError:
        expected = {"int": "an integer", "float": "a number",
                    "bool": "true or false"}[kind]
        raise ConfigError(f"{variable}: expected {expected}, got {raw!r}") from None
    return raw or None
