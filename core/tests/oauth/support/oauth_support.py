"""Helpers of the OAuth tests: the vendor's control calls, configurations and runtimes of
the ``gate`` test plugin."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any

import gate_plugin
import httpx
import oauth_vendor
from pontes.config import Config
from pontes.http import VendorClient
from pontes.oauth.auth import OAuthAuth
from pontes.oauth.session import OAuthSession
from pontes.plugins import load_plugins
from pontes.runtime import Runtime
from pontes.store.vault import Vault

SECRET_KEY = "oauth-tests-secret-key-0123456789"
ADMIN_TOKEN = "oauth-tests-admin-token"


@dataclass
class Vendor:
    """The running test vendor and its control calls."""

    url: str
    client: httpx.Client = field(repr=False)

    def control(self, what: str, **settings: Any) -> None:
        """``POST /_control/<what>`` (``expire``, ``revoke``, ``settings``)."""
        self.client.post(f"/_control/{what}", json=settings).raise_for_status()

    def stats(self) -> dict[str, Any]:
        """How many refreshes were made and spent refresh tokens sent again, and the notes."""
        return self.client.get("/_control/stats").json()


def gate_config(store_url: str, vendor_url: str, public_url: str = "http://127.0.0.1:8000",
                **extra: Any) -> dict[str, Any]:
    """A configuration with connection ``gate`` (OAuth) and integration ``notes``."""
    connection = {"plugin": "gate", "base_url": vendor_url,
                  "client_id": oauth_vendor.CLIENT_ID,
                  "client_secret": oauth_vendor.CLIENT_SECRET, **extra}
    return {"store": store_url, "public_url": public_url, "plugins": [],
            "connections": {"gate": connection},
            "integrations": {"notes": {"recipe": "gate_note", "source": "gate",
                                       "target": "gate", "max_attempts": 2}}}


def gate_runtime(config: dict[str, Any]) -> Runtime:
    """The runtime of ``config`` with the ``gate`` test plugin loaded."""
    return Runtime.build(Config.model_validate(config),
                         load_plugins([], extra=[gate_plugin]), key=SECRET_KEY.encode())


def authorization_code(vendor_url: str, redirect_uri: str) -> str:
    """A code from the vendor's authorize page (auto-approved), as a browser would get."""
    answer = httpx.get(f"{vendor_url}/authorize", follow_redirects=False,
                       params={"client_id": oauth_vendor.CLIENT_ID, "response_type": "code",
                               "redirect_uri": redirect_uri, "state": "-"})
    assert answer.status_code == 302, answer.text
    return httpx.URL(answer.headers["location"]).params["code"]


def gate_settings(vendor_url: str, **settings: Any) -> gate_plugin.GateSettings:
    """The settings of a ``gate`` connection to the vendor at ``vendor_url``."""
    return gate_plugin.GateSettings(plugin="gate", base_url=vendor_url,
                                    client_id=oauth_vendor.CLIENT_ID,
                                    client_secret=oauth_vendor.CLIENT_SECRET, **settings)


def signed_client(vault: Vault, vendor_url: str, *, rotates: bool = True,
                  **settings: Any) -> tuple[VendorClient, OAuthSession]:
    """A vendor client of connection ``gate`` signing its calls through its own session
    over ``vault``, as a separate process would have (``settings`` added to the
    connection's; ``rotates``: whether the declaration says refresh tokens rotate)."""
    settings = gate_settings(vendor_url, **settings)
    declaration = replace(gate_plugin.kit.connector.oauth, rotates_refresh_token=rotates)
    session = OAuthSession("gate", settings, declaration, vault,
                           public_url="http://127.0.0.1:8000")
    client = gate_plugin.build_client("gate", settings)
    client.authenticate(OAuthAuth(session, client.redactor))
    return client, session


@dataclass
class Pontes:
    """A pontes server (``create_app`` under uvicorn on loopback) for the ``gate`` config."""

    url: str
    runtime: Runtime
    store: Any
    admin: httpx.Client = field(repr=False)

    def login(self) -> httpx.Response:
        """Log ``gate`` in as a person would: the server's start page, the vendor's
        authorize page (auto-approved), back to the server's callback."""
        return httpx.get(f"{self.url}/oauth/gate/start", follow_redirects=True, timeout=10)

    def deliver(self, **body: Any) -> None:
        """Post a webhook delivery to the ``notes`` integration."""
        [hook] = self.runtime.hook_urls()
        httpx.post(hook.url, json=body, timeout=10).raise_for_status()

    def events(self, **filters: Any) -> list[dict[str, Any]]:
        """Events from the admin API."""
        answer = self.admin.get("/admin/api/events", params=filters)
        answer.raise_for_status()
        return answer.json()

    def settled(self, key: str, timeout: float = 20.0) -> dict[str, Any]:
        """The event with idempotency key ``key`` once it has succeeded or died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events():
                if event["idempotency_key"] == key and event["status"] in ("succeeded", "dead"):
                    return event
            time.sleep(0.1)
        raise AssertionError(f"event {key} did not settle in {timeout}s: {self.events()}")
