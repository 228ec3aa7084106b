"""Building a Movidesk sandbox app: state, gate, endpoints and control routes."""

from __future__ import annotations

from typing import Any

from pontes.plugin import SandboxControl, WindowLimiter, sandbox_app
from starlette.applications import Starlette

from ..connector import VENDOR_REQUESTS_PER_MINUTE
from .api import BASE_PATH, MovideskApi
from .behaviours import Gate
from .control import control_routes
from .seeding import demo_seed, load_seed
from .state import MovideskState
from .surveys import survey_routes
from .timefmt import SandboxClock

SANDBOX_TOKEN = "movidesk-sandbox-token"
"""The only token the sandbox accepts unless built with another."""


def build_app(seed: dict[str, Any] | None = None, *,
              requests_per_minute: int = VENDOR_REQUESTS_PER_MINUTE,
              token: str = SANDBOX_TOKEN, max_page_size: int = 100,
              minute: float = 60.0) -> Starlette:
    """A fresh sandbox of one Movidesk account.

    - ``seed``: ``{"persons": [...], "tickets": [...]}`` to start with; ``None`` loads
      the demo desk (see ``seeding.demo_seed``), ``{}`` starts empty;
    - ``requests_per_minute``: the per-token budget (Movidesk's is 10);
    - ``max_page_size``: the ``$top`` ceiling (100; 1000 emulates the older API);
    - ``minute``: the seconds the sandbox counts as a minute: the throughput window and
      the lock-outs (60, 120, 300 s) shrink with it, so a test holds Movidesk's rules in
      seconds instead of minutes.

    ``POST /_sandbox/reset`` brings back this seed and real time.
    """
    clock = SandboxClock()
    state = MovideskState(clock)
    limiter = WindowLimiter(requests_per_minute, minute, clock=clock.monotonic)
    gate = Gate(token, limiter, clock, minute)

    def reset_state() -> None:
        clock.reset()
        state.clear()
        gate.reset()
        load_seed(state, demo_seed(clock.now()) if seed is None else seed)

    control = SandboxControl(reset_state, secret_params=("token",))
    control.limiters.append(limiter)
    reset_state()
    api = MovideskApi(state, control.webhooks, max_page_size)
    routes = [*control_routes(state, control.webhooks, clock, gate), *api.routes(gate),
              *survey_routes(state, gate, BASE_PATH)]
    app = sandbox_app(routes, control)
    app.state.movidesk = state
    return app
