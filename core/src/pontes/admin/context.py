"""What every admin service needs: the runtime, the store and a way to wake the engine."""

from __future__ import annotations

from dataclasses import dataclass

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

    @classmethod
    def of(cls, request: Request) -> AdminContext:
        """The installation serving ``request``."""
        state = request.app.state
        return cls(state.runtime, state.store, state.key, state.engine)

    @property
    def public_url(self) -> str:
        """The server's public base URL, without a trailing slash."""
        return self.runtime.config.public_url.rstrip("/")

    def wake(self) -> None:
        """Tell the engine that events were queued (replays), so it runs them now."""
        self.engine.wake()
