"""What every admin service needs: the runtime, the store and a way to wake the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from ..runtime import Runtime
from ..store import Store


@dataclass(frozen=True)
class AdminContext:
    """The running installation, as the services see it."""

    runtime: Runtime
    store: Store
    key: bytes
    engine: object
    checks: dict[str, Any] = field(default_factory=dict)
    """The last credentials check of each connection in this process (``CheckAnswer``)."""

    @classmethod
    def of(cls, request: Request) -> AdminContext:
        """The installation serving ``request``."""
        state = request.app.state
        if getattr(state, "admin_checks", None) is None:
            state.admin_checks = {}
        return cls(state.runtime, state.store, state.key, state.engine, state.admin_checks)

    @property
    def public_url(self) -> str:
        """The server's public base URL, without a trailing slash."""
        return self.runtime.config.public_url.rstrip("/")

    def wake(self) -> None:
        """Tell the engine that events were queued (replays), so it runs them now."""
        self.engine.wake()
