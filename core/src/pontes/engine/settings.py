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
    """How the server takes deliveries and how the embedded runner runs events.

    - ``concurrency``: events run at once by one process;
    - ``backoff_base`` / ``backoff_cap``: seconds; retry ``n`` waits a random time between
      half and all of ``min(cap, base * 2**(n-1))``, or exactly the vendor's Retry-After;
    - ``attempt_timeout``: seconds one run may take before it counts as a retriable failure;
    - ``lease_seconds``: how long a claimed event stays this process's without a renewal
      (renewed every third of it); afterwards another process may take it back;
    - ``idle_interval``: seconds between looks at the queue when nothing wakes the runner;
    - ``body_limit``: largest webhook body accepted, in bytes (larger: 413);
    - ``context_timeout``: seconds a webhook answer may wait for the client context that
      some vendors show to agents (then the plain acknowledgement goes out);
    - ``header_timeout`` / ``body_timeout``: seconds a client may take to send a request's
      headers, and then its body (slower: 408 and the connection is closed);
    - ``admin_token``: the bearer token of ``/admin/api`` (without it the API answers 401);
    - ``run_events`` / ``poll``: run the embedded runner and pollers in this process.
    """

    concurrency: int = 8
    backoff_base: float = 2.0
    backoff_cap: float = 900.0
    attempt_timeout: float = 300.0
    lease_seconds: float = 120.0
    idle_interval: float = 1.0
    body_limit: int = 1 << 20
    context_timeout: float = 2.0
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    admin_token: str | None = field(default=None, repr=False)
    run_events: bool = True
    poll: bool = True

    def __post_init__(self) -> None:
        for name in ("concurrency", "body_limit"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be at least 1, got {getattr(self, name)}")
        for name in ("backoff_base", "backoff_cap", "attempt_timeout", "lease_seconds",
                     "idle_interval", "context_timeout", "header_timeout", "body_timeout"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive, got {getattr(self, name)}")

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
