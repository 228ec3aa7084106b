"""Faults a test or demo queues on a sandbox: fail or slow down the next matching requests."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any


@dataclass
class Fault:
    """One queued fault: fail (or delay) the next ``count`` matching requests.

    A request matches when its path starts with ``path`` and, if ``method`` is set, its
    method is ``method``. With a ``status`` the request is answered with that status,
    ``body`` (default ``{"message": "injected fault"}``) and ``Retry-After`` when
    ``retry_after`` is set; without one it is only delayed by ``delay`` seconds.
    """

    status: int | None = None
    count: int = 1
    retry_after: float | None = None
    delay: float = 0.0
    path: str = ""
    method: str | None = None
    body: Any = None

    @classmethod
    def from_spec(cls, spec: Any) -> Fault:
        """A fault from the JSON body of ``POST /_sandbox/faults``.

        Raises ``ValueError`` naming the offending key.
        """
        if not isinstance(spec, dict):
            raise ValueError("a fault is a JSON object, e.g. {\"status\": 503}")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(spec) - known)
        if unknown:
            raise ValueError(f"unknown fault key(s) {unknown}; known: {sorted(known)}")
        fault = cls(**spec)
        if fault.status is not None and not (_is_int(fault.status) and 100 <= fault.status <= 599):
            raise ValueError(f"status must be an HTTP status (100-599), got {fault.status!r}")
        if not (_is_int(fault.count) and fault.count >= 1):
            raise ValueError(f"count must be a whole number >= 1, got {fault.count!r}")
        for name in ("retry_after", "delay"):
            value = getattr(fault, name)
            if value is not None and not (_is_number(value) and 0 <= value < math.inf):
                raise ValueError(f"{name} must be a number of seconds >= 0, got {value!r}")
        if not isinstance(fault.path, str):
            raise ValueError(f"path must be text, got {fault.path!r}")
        if fault.method is not None and not isinstance(fault.method, str):
            raise ValueError(f"method must be text, got {fault.method!r}")
        if fault.status is None and not fault.delay:
            raise ValueError("a fault needs a status, a delay, or both")
        return fault

    def matches(self, path: str, method: str | None = None) -> bool:
        """Whether this fault applies to a request for ``path`` (made with ``method``)."""
        if self.method is not None and method is not None and self.method.upper() != method.upper():
            return False
        return path.startswith(self.path) and self.count > 0


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
