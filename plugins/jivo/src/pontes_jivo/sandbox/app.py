"""Building a Jivo sandbox app: its state and its control routes.

Jivo calls us, so the sandbox serves no vendor API of its own: every route is a
``/_sandbox`` one, the shared ones (faults, requests, deliveries, reset) and the
Jivo-specific ones of ``control``, which send Jivo's bodies and judge the answers.
"""

from __future__ import annotations

from pontes.plugin import SandboxControl, sandbox_app
from starlette.types import ASGIApp

from .control import control_routes
from .state import JivoState

DEFAULT_REPLY_TIMEOUT = 10.0
"""Seconds an answer is awaited until ``POST /_sandbox/config`` says otherwise."""


def build_app() -> ASGIApp:
    """A fresh Jivo sandbox app with no chats remembered (its state is ``app.state.jivo``)."""
    state = JivoState()
    control = SandboxControl(state.reset)
    control.webhooks.timeout = DEFAULT_REPLY_TIMEOUT
    app = sandbox_app(control_routes(state, control.webhooks), control)
    app.state.jivo = state
    return app
