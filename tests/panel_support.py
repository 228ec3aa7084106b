"""Helpers of the CRM panel and Tickets tab tests: tickets in the Usedesk sandbox, the
ticket card's block, records in the CRM sandboxes, a Bigin x Zoho Desk tab server, and
reading panel pages."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from pontes.testing.stack import Stack
from pontes_demo.installation import FAST_RETRIES
from pontes_zohodesk.sandbox import SANDBOX_ACCESS_TOKEN as DESK_TOKEN
from pontes_zohodesk.sandbox.state import ORG_ID as DESK_ORG_ID

PANEL_FRAME = re.compile(r'<iframe class="pontes-panel" src="([^"]+)"')


def new_ticket(stack, name: str, email: str | None = None, phone: str | None = None) -> str:
    """A client writes in: a new Usedesk ticket (through Usedesk's API); returns its id."""
    token = stack.runtime.connections["usedesk"].settings.api_token.get_secret_value()
    client = {"client_name": name}
    if email:
        client["client_email"] = email
    if phone:
        client["client_phone"] = phone
    with stack.sandbox("usedesk") as usedesk:
        answer = usedesk.post("/create/ticket", json={
            "api_token": token, "subject": f"Question from {name}", "message": "Hello",
            **client}).raise_for_status().json()
    return str(answer["ticket_id"])


def add_block(stack, integration: str, name: str = "crm", language: str = "en") -> None:
    """Set the integration's URL up as a dynamic block of the Usedesk sandbox, as an
    operator does in Settings -> Blocks."""
    with stack.sandbox("usedesk") as usedesk:
        usedesk.post("/_sandbox/blocks", json={
            "name": name, "title": name, "url": stack.hook_url(integration, "helpdesk"),
            "parameters": {"language": language}}).raise_for_status()


def open_block(stack, ticket_id: str, name: str = "crm") -> str:
    """Open the ticket's card (Usedesk posts to its blocks) and return the URL of the
    panel frame the block answered."""
    with stack.sandbox("usedesk") as usedesk:
        shown = usedesk.post(f"/_sandbox/tickets/{ticket_id}/blocks",
                             json={"automatic": True, "name": name}).raise_for_status().json()
    (block,) = shown
    assert block["error"] is None, block
    found = PANEL_FRAME.search(block["html"])
    assert found, block["html"]
    return html.unescape(found.group(1))


def amocrm_token(stack, connection: str = "amocrm") -> str:
    return stack.runtime.connections[connection].settings.long_lived_token.get_secret_value()


def amocrm_contact(stack, name: str, email: str | None = None,
                   phone: str | None = None) -> int:
    """A contact that already is in amoCRM; returns its id."""
    fields = []
    if email:
        fields.append({"field_code": "EMAIL", "values": [{"value": email,
                                                          "enum_code": "WORK"}]})
    if phone:
        fields.append({"field_code": "PHONE", "values": [{"value": phone,
                                                          "enum_code": "MOB"}]})
    with stack.sandbox("amocrm") as amocrm:
        answer = amocrm.post("/api/v4/contacts",
                             headers={"Authorization": f"Bearer {amocrm_token(stack)}"},
                             json=[{"name": name, "custom_fields_values": fields}])
    return answer.raise_for_status().json()["_embedded"]["contacts"][0]["id"]


def amocrm_records(stack, entity: str) -> list[dict]:
    """Every contact, company or lead the amoCRM sandbox holds."""
    with stack.sandbox("amocrm") as amocrm:
        return amocrm.get(f"/_sandbox/records/{entity}").raise_for_status().json()


def amocrm_notes(stack, lead_id: int) -> list[dict]:
    """The notes of a lead, through amoCRM's API."""
    with stack.sandbox("amocrm") as amocrm:
        answer = amocrm.get(f"/api/v4/leads/{lead_id}/notes",
                            headers={"Authorization": f"Bearer {amocrm_token(stack)}"})
    if answer.status_code == 204:
        return []
    return answer.raise_for_status().json()["_embedded"]["notes"]


def form_of(page: str, css_class: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the form with class ``css_class`` on a page."""
    found = re.search(rf'<form method="post" action="([^"]+)" class="{css_class}">(.*?)</form>',
                      page, re.S)
    assert found, f"no form {css_class!r} on the page:\n{page}"
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                             found.group(2)))
    return html.unescape(found.group(1)), {k: html.unescape(v) for k, v in hidden.items()}


def with_context(url: str, path: str, **params: str) -> str:
    """The panel URL ``path`` with the signed context of panel ``url``."""
    parts = urlsplit(url)
    query = "&".join(f"{k}={v}" for k, v in params.items())
    context = parse_qs(parts.query)["ctx"][0]
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    return f"{base}{path}?{query + '&' if query else ''}ctx={context}"


def panel_client(url: str) -> httpx.Client:
    """An HTTP client for the panel's server (no redirects followed unless asked)."""
    parts = urlsplit(url)
    return httpx.Client(base_url=f"{parts.scheme}://{parts.netloc}", timeout=60.0)


@contextmanager
def bigin_desk_tab(folder: Path, options: dict[str, Any], **settings: Any) -> Iterator[Stack]:
    """A server with a Tickets tab integration ``tickets`` for Bigin records and Zoho Desk
    tickets (``options``, and integration ``settings`` such as ``poll``), the Bigin
    sandbox allowing a paid organisation's daily calls."""
    integrations = {"tickets": {"recipe": "tickets_tab", "helpdesk": "desk", "crm": "bigin",
                                **settings, "options": options}}
    with Stack.running(folder, connections={"bigin": ("bigin", {}),
                                            "desk": ("zohodesk", {})},
                       integrations=integrations,
                       sandbox_options={"bigin": {"daily_credits": 100_000}},
                       server_env=FAST_RETRIES) as running:
        yield running


def desk_api(stack: Stack, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """A call to the Zoho Desk sandbox's API (``/api/v1<path>``) as the portal's agent."""
    headers = {"orgId": DESK_ORG_ID, "Authorization": f"Zoho-oauthtoken {DESK_TOKEN}"}
    with stack.sandbox("zohodesk") as sandbox:
        return sandbox.request(method, f"/api/v1{path}", headers=headers, **kwargs)
