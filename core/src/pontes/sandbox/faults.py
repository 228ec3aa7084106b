"""Faults a test or demo queues on a sandbox: fail, slow down or cut off the next matching
requests, before the sandbox processes them or after.

A fault ``before`` processing leaves the vendor's state untouched, as a vendor does when it
refuses a call over its limit or is down. A fault with ``commit_first`` lets the sandbox
process the request (a record is created) and then loses or spoils the answer: it comes
late, comes as an error, or never comes. Those are the ambiguous failures that must not
make a client create a record twice.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any


@dataclass
class Fault:
    """One queued fault, applied to the next ``count`` matching requests.

    A request matches when its path starts with ``path`` and, if ``method`` is set, its
    method is ``method``; with ``chance`` below 1, a matching request is hit only with
    that probability (the others pass untouched and use nothing up).

    What the fault does:

    - ``status``: the answer is that status, with ``body`` (default ``{"message":
      "injected fault"}``) and ``Retry-After`` when ``retry_after`` is set;
    - ``delay``: the answer comes ``delay`` seconds late (only delayed, without a status);
    - ``drop``: the connection is cut before a complete answer is sent;
    - ``commit_first``: all of the above happens after the sandbox has processed the
      request (committed it), not instead of processing it.
    """

    status: int | None = None
    count: int = 1
    retry_after: float | None = None
    delay: float = 0.0
    path: str = ""
    method: str | None = None
    body: Any = None
    drop: bool = False
    commit_first: bool = False
    chance: float = 1.0

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
        for name in ("drop", "commit_first"):
            if not isinstance(getattr(fault, name), bool):
                raise ValueError(f"{name} must be true or false, got {getattr(fault, name)!r}")
        if not (_is_number(fault.chance) and 0 < fault.chance <= 1):
            raise ValueError(f"chance must be a probability above 0 and at most 1, "
                             f"got {fault.chance!r}")
        if fault.status is None and not fault.delay and not fault.drop:
            raise ValueError("a fault needs a status, a delay or drop, or a combination")
        if fault.drop and fault.status is not None:
            raise ValueError("a dropped connection has no status: give drop or status")
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
