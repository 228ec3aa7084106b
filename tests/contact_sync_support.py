"""Helpers of the ``contact_sync`` tests.

- ``Vendors``: the recipe run in this process: Bigin's and Zoho Desk's sandboxes served on
  loopback, the integration built from a configuration, a real SQLite store, and the
  vendors' APIs as people use them;
- for the tests with a real server (``pontes.testing.stack.Stack``): ``pontes`` runs the
  command line on a stack's configuration, ``BIGIN_DESK_CONNECTIONS`` and
  ``BIGIN_DESK_SANDBOXES`` set up a Bigin and Zoho Desk stack, ``bigin_api`` /
  ``desk_api`` call those sandboxes as people do, and ``movidesk_clients`` /
  ``ploomes_clients`` read the people and companies of the Movidesk and Ploomes ones.
"""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys

import httpx
from pontes.config import parse_config
from pontes.models import Event
from pontes.plugins import load_plugins
from pontes.recipes import RunContext
from pontes.runtime import Runtime
from pontes.store import Store, StoreLinks
from pontes.testing import serve_app
from pontes_bigin.sandbox import SANDBOX_ACCESS_TOKEN as BIGIN_TOKEN
from pontes_demo import steps
from pontes_zohodesk.sandbox import SANDBOX_ACCESS_TOKEN as DESK_TOKEN
from pontes_zohodesk.sandbox import SANDBOX_REFRESH_TOKEN as DESK_REFRESH_TOKEN
from pontes_zohodesk.sandbox.state import ORG_ID

WRITES = {"POST", "PUT", "PATCH"}
SANDBOX_OPTIONS = {"bigin": {"daily_credits": 100_000}}
"""Bigin as a paid organisation at its cap: a Free one's 5,000 credits a day run out
within the 1,000-step property runs."""
_serial = itertools.count(1)


class Vendors:
    """Both sandboxes on loopback, the integration, the store and an event loop."""

    def __init__(self, workdir, mapping: dict | None = None, **options):
        plugins = load_plugins(["bigin", "zohodesk"])
        sandboxes = plugins.registry.sandboxes
        self._served = [serve_app(sandboxes[name].app(**SANDBOX_OPTIONS.get(name, {})))
                        for name in ("bigin", "zohodesk")]
        self.bigin_url, self.desk_url = (served.__enter__() for served in self._served)
        config = parse_config({
            "connections": {"bigin": sandboxes["bigin"].settings(self.bigin_url,
                                                                 **SANDBOX_OPTIONS["bigin"]),
                            "desk": sandboxes["zohodesk"].settings(self.desk_url)},
            "integrations": {"sync": {"recipe": "contact_sync", "crm": "bigin",
                                      "helpdesk": "desk",
                                      "options": {"mode": "two_way", **options},
                                      "mapping": mapping or {}}},
        })
        self.runtime = Runtime.build(config, plugins=plugins, key=b"property-test-key")
        self.integration = self.runtime.integrations["sync"]
        self.store = Store.open(f"sqlite:///{workdir}/store.db", key=b"property-test-key")
        self.links = StoreLinks(self.store.links, self.store.run, self.store.synced)
        self.loop = asyncio.new_event_loop()
        self.bigin = httpx.Client(base_url=self.bigin_url, timeout=30, headers={
            "Authorization": f"Zoho-oauthtoken {BIGIN_TOKEN}"})
        self.desk = httpx.Client(base_url=self.desk_url, timeout=30, headers={
            "Authorization": f"Zoho-oauthtoken {DESK_TOKEN}", "orgId": ORG_ID})
        self.own_writes = {"crm": 0, "helpdesk": 0}

    def close(self) -> None:
        self.loop.run_until_complete(self.runtime.aclose())
        self.loop.close()
        self.bigin.close()
        self.desk.close()
        self.store.close()
        for served in reversed(self._served):
            served.__exit__(None, None, None)

    def deliver(self, role: str, record_id: str) -> tuple[str, list[str]]:
        """The vendor's notification that ``record_id`` changed, run by the recipe; its
        summary and notes."""
        connection = self.integration.connections[role]
        event = Event(type="contact.changed", connection=connection.name,
                      idempotency_key=f"delivery-{next(_serial)}",
                      entity_key=f"contact:{record_id}", record_id=record_id,
                      payload={"module": "Contacts"})
        context = RunContext(self.integration, event, role, self.links)
        summary = self.loop.run_until_complete(self.integration.recipe.handle(context, event))
        return summary, context.notes

    def create(self, role: str, first: str, last: str, email: str) -> str:
        self.own_writes[role] += 1
        if role == "crm":
            answer = self.bigin.post("/bigin/v2/Contacts", json={"data": [{
                "First_Name": first, "Last_Name": last, "Email": email}]})
            return answer.raise_for_status().json()["data"][0]["details"]["id"]
        answer = self.desk.post("/api/v1/contacts", json={
            "firstName": first, "lastName": last, "email": email})
        return answer.raise_for_status().json()["id"]

    def edit(self, role: str, record_id: str, field: str, value: str) -> None:
        self.own_writes[role] += 1
        if role == "crm":
            name = {"first": "First_Name", "last": "Last_Name"}[field]
            self.bigin.put(f"/bigin/v2/Contacts/{record_id}",
                           json={"data": [{name: value}]}).raise_for_status()
            return
        name = {"first": "firstName", "last": "lastName"}[field]
        self.desk.patch(f"/api/v1/contacts/{record_id}", json={name: value}).raise_for_status()

    def people(self, role: str) -> dict[str, tuple]:
        """``{email: (first name, last name)}`` of every person on one side."""
        if role == "crm":
            rows = self.bigin.get("/_sandbox/records/Contacts").raise_for_status().json()
            return {r["Email"].lower(): (r.get("First_Name"), r.get("Last_Name"))
                    for r in rows if r.get("Email")}
        answer = self.desk.get("/api/v1/contacts", params={"limit": 100})
        rows = answer.raise_for_status().json()["data"] if answer.content else []
        return {r["email"].lower(): (r.get("firstName"), r.get("lastName"))
                for r in rows if r.get("email")}

    def ids(self, role: str) -> list[str]:
        if role == "crm":
            rows = self.bigin.get("/_sandbox/records/Contacts").raise_for_status().json()
        else:
            answer = self.desk.get("/api/v1/contacts", params={"limit": 100})
            rows = answer.raise_for_status().json()["data"] if answer.content else []
        return [str(r["id"]) for r in rows]

    def pontes_writes(self) -> int:
        """Writes the sandboxes received that the test did not make itself."""
        total = 0
        for client, api in ((self.bigin, "/bigin/v2/"), (self.desk, "/api/v1/")):
            log = client.get("/_sandbox/requests").raise_for_status().json()
            total += len([r for r in log if r["method"] in WRITES and r["path"].startswith(api)])
        return total - sum(self.own_writes.values())


BIGIN_DESK_CONNECTIONS = {"bigin": ("bigin", {}), "desk": ("zohodesk", {
    "access_token": None, "refresh_token": DESK_REFRESH_TOKEN})}
"""A stack's Bigin and Zoho Desk connections (Zoho Desk's token is refreshed first)."""
BIGIN_DESK_SANDBOXES = {"bigin": {"oauth": True, "daily_credits": 100_000}}
"""Their sandboxes' options: Bigin's OAuth and a credit budget no test runs out of."""


def bigin_api(stack, method: str, path: str, **kwargs) -> dict:
    """Call Bigin's API (below ``/bigin/v2``) as a Bigin user's tool would."""
    with stack.sandbox("bigin") as sandbox:
        answer = sandbox.request(method, f"/bigin/v2{path}", headers={
            "Authorization": f"Zoho-oauthtoken {BIGIN_TOKEN}"}, **kwargs)
    answer.raise_for_status()
    return answer.json() if answer.content else {}


def desk_api(stack, method: str, path: str, **kwargs) -> dict:
    """Call Zoho Desk's API (below ``/api/v1``) as an agent's tool would."""
    with stack.sandbox("zohodesk") as sandbox:
        answer = sandbox.request(method, f"/api/v1{path}", headers={
            "orgId": ORG_ID, "Authorization": f"Zoho-oauthtoken {DESK_TOKEN}"}, **kwargs)
    answer.raise_for_status()
    return answer.json() if answer.content else {}


MOVIDESK_AGENT = 1
"""Movidesk's ``profileType`` of an agent, who is no client and is never synced."""


def pontes(stack, *args: str) -> subprocess.CompletedProcess:
    """Run the ``pontes`` command line on ``stack``'s configuration (not checked)."""
    return subprocess.run([sys.executable, "-m", "pontes.cli", *args, "--config",
                           str(stack.config_path)], env=stack.env, capture_output=True,
                          text=True, timeout=180)


def movidesk_clients(stack, person_type: int) -> list[dict]:
    """The Movidesk client persons of ``person_type`` (1 person, 2 company)."""
    return [p for p in steps.movidesk_state(stack)["persons"]
            if p["personType"] == person_type and p.get("profileType") != MOVIDESK_AGENT]


def ploomes_clients(stack, type_id: int) -> list[dict]:
    """The Ploomes ``Contacts`` of ``type_id`` (2 person, 1 company)."""
    return [c for c in steps.ploomes_records(stack, "Contacts") if c["TypeId"] == type_id]
