"""Helpers of the admin tests: a served installation, the signed-in client and the forms'
CSRF tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
from engine_support import ADMIN_TOKEN, wait_until
from pontes.runtime import Runtime
from pontes.store import Store

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    return CSRF.search(html).group(1)


def sign_in(url: str, token: str = ADMIN_TOKEN) -> tuple[httpx.Client, httpx.Response]:
    """A client that posted the sign-in form with ``token``, and the answer."""
    client = httpx.Client(base_url=url, timeout=30)
    form = client.get("/admin/sign-in")
    answer = client.post("/admin/sign-in", data={"token": token, "next": "/admin/events",
                                                  "csrf_token": csrf_of(form.text)})
    return client, answer


@dataclass
class Served:
    """A running server, its Ledger sandbox and its store."""

    url: str
    sandbox_url: str
    store: Store
    runtime: Runtime

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30,
                            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})

    def hook_url(self) -> str:
        with self.api() as api:
            return api.get("/admin/api/integrations").json()[0]["webhooks"][0]["url"]

    def deliver(self, **body) -> None:
        httpx.post(self.hook_url(), json=body, timeout=30).raise_for_status()

    def settle(self) -> None:
        def quiet() -> bool:
            with self.api() as api:
                found = api.get("/admin/api/events", params={"limit": 1000}).json()
            return not any(e["status"] in ("received", "running") for e in found)

        wait_until(quiet, what="the queue to empty")
