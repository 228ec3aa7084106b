"""Fixtures for the Usedesk plugin tests.

- ``usedesk``: a fresh sandbox served on loopback (``Sandbox``: its URL, an HTTP client,
  and the account state behind it), built with the options a test gives through
  ``usedesk_options``;
- ``receiver``: ``pontes.testing``'s webhook receiver, which records what is posted to
  it and answers as the test says (Usedesk's webhooks and dynamic blocks are posted to it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pontes.testing import serve_app
from pontes.testing.receiver import Reply, WebhookReceiver

from pontes_usedesk.sandbox.app import SANDBOX_API_TOKEN, build_app
from pontes_usedesk.sandbox.state import UsedeskState

TOKEN = SANDBOX_API_TOKEN


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Sandbox:
    """A served Usedesk sandbox: ``call(method, **params)`` posts to its API as the
    documentation says (JSON body with ``api_token``)."""

    url: str
    http: httpx.Client
    state: UsedeskState

    def call(self, method: str, **params: Any) -> httpx.Response:
        return self.http.post(method, json={"api_token": TOKEN, **params})

    def control(self, path: str, body: Any = None, method: str = "POST") -> httpx.Response:
        return self.http.request(method, f"/_sandbox{path}",
                                 json=body if body is not None else None)

    def deliveries(self) -> list[dict[str, Any]]:
        return self.http.get("/_sandbox/deliveries").json()


@pytest.fixture
def usedesk_options() -> dict[str, Any]:
    """Options of the sandbox ``usedesk`` builds (override in a test module)."""
    return {}


@pytest.fixture
def usedesk(usedesk_options: dict[str, Any]) -> Iterator[Sandbox]:
    app = build_app(**usedesk_options)
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield Sandbox(url, http, app.state.usedesk)


@pytest.fixture
def receiver(webhook_receiver: WebhookReceiver) -> WebhookReceiver:
    """Where Usedesk's webhooks and dynamic blocks are posted (``pontes.testing``'s
    receiver); a block gets ``{"html": "<p>ok</p>"}`` unless the test sets a reply."""
    webhook_receiver.default_reply = Reply({"html": "<p>ok</p>"})
    return webhook_receiver
