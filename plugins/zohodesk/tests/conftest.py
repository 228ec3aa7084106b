"""Fixtures for the Zoho Desk plugin tests.

- ``desk``: a fresh sandbox served on loopback (``Desk``: its URL, an HTTP client that
  calls the API as the documentation says, with the standing token and the portal's
  ``orgId``, and the state behind it), built with the options a test gives through
  ``desk_options``;
- ``receiver``: a small server on loopback that records what is posted to it and answers
  with the status the test sets (Zoho Desk's webhooks are posted to it);
- ``desk_connection``: a pontes connection to the ``desk`` sandbox.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pontes.plugins import load_plugins
from pontes.testing import serve_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

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


@dataclass
class Receiver:
    """Records every POST to ``url(name)`` (its body and headers); ``status[name]`` is
    what it answers (200)."""

    base_url: str = ""
    received: list[tuple[str, Any, dict[str, str]]] = field(default_factory=list)
    status: dict[str, int] = field(default_factory=dict)

    def url(self, name: str = "hook") -> str:
        return f"{self.base_url}/{name}"

    def bodies(self, name: str = "hook") -> list[Any]:
        return [body for path, body, _ in self.received if path == name]

    def headers(self, name: str = "hook") -> list[dict[str, str]]:
        return [headers for path, _, headers in self.received if path == name]

    def app(self) -> Starlette:
        async def record(request: Request) -> Response:
            name = request.path_params["name"]
            self.received.append((name, json.loads(await request.body()),
                                  dict(request.headers)))
            return Response(status_code=self.status.get(name, 200))

        return Starlette(routes=[Route("/{name}", record, methods=["POST"])])


@pytest.fixture(scope="session")
def served_receiver() -> Iterator[Receiver]:
    found = Receiver()
    with serve_app(found.app()) as url:
        found.base_url = url
        yield found


@pytest.fixture
def receiver(served_receiver: Receiver) -> Receiver:
    """The loopback receiver, emptied for this test."""
    served_receiver.received.clear()
    served_receiver.status.clear()
    return served_receiver
