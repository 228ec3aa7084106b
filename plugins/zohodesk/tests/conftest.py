"""Fixtures for the Zoho Desk plugin tests.

- ``desk``: a fresh sandbox served on loopback (``Desk``: its URL, an HTTP client that
  calls the API as the documentation says, with the standing token and the portal's
  ``orgId``, and the state behind it), built with the options a test gives through
  ``desk_options``;
- ``receiver``: ``pontes.testing``'s webhook receiver, which records what is posted to it
  and answers as the test says (Zoho Desk's webhooks are posted to it);
- ``desk_connection``: a pontes connection to the ``desk`` sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from pontes.plugins import load_plugins
from pontes.testing import serve_app
from pontes.testing.receiver import WebhookReceiver

from pontes_zohodesk.sandbox import sandbox_settings
from pontes_zohodesk.sandbox.app import SANDBOX_ACCESS_TOKEN, build_app
from pontes_zohodesk.sandbox.state import DEPARTMENT_ID, ORG_ID, DeskState

AUTH = {"Authorization": f"Zoho-oauthtoken {SANDBOX_ACCESS_TOKEN}", "orgId": ORG_ID}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclass
class Desk:
    """A served Zoho Desk sandbox."""

    url: str
    http: httpx.Client
    state: DeskState

    def api(self, method: str, path: str, body: Any = None, *,
            headers: dict[str, str] | None = None, **params: Any) -> httpx.Response:
        """Call ``/api/v1<path>`` with the standing token and the ``orgId`` (``headers``
        replace them)."""
        return self.http.request(method, f"/api/v1{path}", json=body, params=params or None,
                                 headers=AUTH if headers is None else headers)

    def control(self, path: str, body: Any = None, method: str = "POST") -> httpx.Response:
        return self.http.request(method, f"/_sandbox{path}", json=body)

    def contact(self, **fields: Any) -> dict[str, Any]:
        """A contact created through the API."""
        answer = self.api("POST", "/contacts", {"lastName": "Ng", "firstName": "Dana",
                                                "email": "dana@example.com", **fields})
        answer.raise_for_status()
        return answer.json()

    def ticket(self, contact_id: str, **fields: Any) -> dict[str, Any]:
        """A ticket created through the API."""
        answer = self.api("POST", "/tickets", {"subject": "Invoice PDF",
                                               "departmentId": DEPARTMENT_ID,
                                               "contactId": contact_id, **fields})
        answer.raise_for_status()
        return answer.json()

    def deliveries(self) -> list[dict[str, Any]]:
        return self.http.get("/_sandbox/deliveries").json()


@pytest.fixture
def desk_options() -> dict[str, Any]:
    """Options of the sandbox ``desk`` builds (override in a test module)."""
    return {}


@pytest.fixture
def desk(desk_options: dict[str, Any]) -> Iterator[Desk]:
    app = build_app(**desk_options)
    with serve_app(app) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield Desk(url, http, app.state.desk)


@pytest.fixture(scope="session")
def registry():
    return load_plugins().registry


@pytest.fixture
async def desk_connection(desk, registry, desk_options):
    """A connection named ``desk`` to the ``desk`` sandbox (``credits_per_day`` matched)."""
    options = {"credits_per_day": desk_options["credits_per_day"]} if (
        "credits_per_day" in desk_options) else {}
    settings = registry.connectors["zohodesk"].settings.model_validate(
        sandbox_settings(desk.url, **options))
    connection = registry.connect("desk", "zohodesk", settings)
    yield connection
    await connection.aclose()


@pytest.fixture
def receiver(webhook_receiver: WebhookReceiver) -> WebhookReceiver:
    """Where Zoho Desk's webhooks are posted (``pontes.testing``'s receiver)."""
    return webhook_receiver
