"""Building a Usedesk sandbox app: the API (``api``), its webhooks (``notify``), the
ticket card (``card``) and the control routes (``control``), over one account
(``state``), behind the shared fault injection and request log."""

from __future__ import annotations

from pontes.plugin import SandboxControl, sandbox_app
from starlette.applications import Starlette

from .agents import agent_control_routes
from .api import ErrorStyle, UsedeskApi
from .control import control_routes
from .notify import Notifier
from .state import UsedeskState

SANDBOX_API_TOKEN = "usedesk-sandbox-api-channel-token"
"""The sandbox's API channel token, unless ``build_app`` is given another."""


def build_app(*, api_token: str = SANDBOX_API_TOKEN, errors: ErrorStyle = "in_body",
              requests_per_minute: int | None = None, seed: bool = True) -> Starlette:
    """A fresh Usedesk sandbox (its state is ``app.state.usedesk``).

    - ``api_token``: the API channel's token, which calls must carry and webhooks send;
    - ``errors``: ``"in_body"`` answers refused calls with HTTP 200 and an ``error`` body,
      ``"http"`` with 401, 400 or 404 and the same body;
    - ``requests_per_minute``: answer 429 above it (unset: no limit);
    - ``seed``: start with a client (Ivan Petrov) and a ticket of his.
    """
    if errors not in ("in_body", "http"):
        raise ValueError(f"errors {errors!r} is not 'in_body' or 'http'")
    state = UsedeskState(seed=seed)
    control = SandboxControl(state.reset, secret_params=("api_token",), secrets=[api_token])
    limiter = control.limiter(requests_per_minute) if requests_per_minute else None
    notifier = Notifier(state, control.webhooks, api_token)
    api = UsedeskApi(state, notifier, token=api_token, errors=errors, limiter=limiter)
    app = sandbox_app([*api.routes(), *control_routes(state, notifier),
                       *agent_control_routes(state)], control)
    app.state.usedesk = state
    return app
