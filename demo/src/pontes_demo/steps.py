"""What a person does in each vendor's screen, played through the sandboxes' controls and
APIs: resolve a ticket, create a deal, finish a chat, log in to a CRM, set up a helpdesk
rule or a ticket card's block."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html import unescape
from typing import Any
from urllib.parse import urljoin

import httpx
from pontes.testing.stack import Stack
from pontes_amocrm.sandbox import SANDBOX_TOKEN as AMOCRM_ACCOUNT_TOKEN

RESOLVED = "Resolvido"
PLOOMES_KEY_HEADER = "User-Key"


def activate(stack: Stack, integration: str) -> str:
    """Run ``pontes activate`` for an integration and return what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "pontes.cli", "activate", integration, "--config",
         str(stack.config_path)], env=stack.env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"pontes activate {integration} failed: {result.stderr}")
    return result.stdout


def movidesk_automation(stack: Stack, integration: str, status: str | None = RESOLVED) -> None:
    """What a Movidesk admin sets up by hand: "Ticket: Status changed to <status>" (any
    change when ``None``) -> "call webhook" with the integration's URL."""
    rule = {"url": stack.hook_url(integration, "helpdesk")}
    if status is not None:
        rule["status_changed_to"] = status
    with stack.sandbox("movidesk") as movidesk:
        movidesk.post("/_sandbox/automations", json=rule).raise_for_status()


def movidesk_set_status(stack: Stack, ticket_id: int | str, status: str = RESOLVED,
                        justification: str | None = None) -> None:
    """An agent changes a ticket's status in Movidesk."""
    with stack.sandbox("movidesk") as movidesk:
        movidesk.post(f"/_sandbox/tickets/{ticket_id}/status",
                      json={"status": status, "justification": justification}
                      ).raise_for_status()


def movidesk_state(stack: Stack) -> dict[str, Any]:
    """Every person and ticket the Movidesk sandbox holds."""
    with stack.sandbox("movidesk") as movidesk:
        return movidesk.get("/_sandbox/state").raise_for_status().json()


def ploomes_records(stack: Stack, resource: str) -> list[dict[str, Any]]:
    """The rows of one Ploomes resource (``Deals``, ``Contacts``, ``InteractionRecords``...)."""
    with stack.sandbox("ploomes") as ploomes:
        return ploomes.get(f"/_sandbox/ploomes/records/{resource}").raise_for_status().json()


def ploomes_api(stack: Stack, method: str, path: str, **kwargs: Any) -> Any:
    """Call the Ploomes sandbox API as a Ploomes user would, with the sandbox's key."""
    key = stack.runtime.connections["ploomes"].settings.user_key.get_secret_value()
    with stack.sandbox("ploomes") as ploomes:
        response = ploomes.request(method, path, headers={PLOOMES_KEY_HEADER: key}, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None


def ploomes_user_id(stack: Stack, name: str) -> int:
    """The id of the Ploomes user called ``name``."""
    for user in ploomes_records(stack, "Users"):
        if user["Name"] == name:
            return user["Id"]
    raise LookupError(f"no Ploomes user {name!r}")


def ploomes_create_deal(stack: Stack, title: str, contact_id: int, *, owner_id: int | None = None,
                        collaborator_ids: tuple[int, ...] = ()) -> int:
    """A salesperson creates a deal in Ploomes; returns its id."""
    body: dict[str, Any] = {"Title": title, "ContactId": contact_id}
    if owner_id is not None:
        body["OwnerId"] = owner_id
    if collaborator_ids:
        body["CollaboratingUsers"] = [{"UserId": user} for user in collaborator_ids]
    answer = ploomes_api(stack, "POST", "/Deals", json=body)
    row = answer["value"][0] if isinstance(answer, dict) and "value" in answer else answer
    return row["Id"]


def jivo_send(stack: Stack, integration: str, event: str, sample: str | None = None,
              overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Jivo posts an event (``chat_finished``, ``offline_message``...) to the integration."""
    body: dict[str, Any] = {"event": event, "url": stack.hook_url(integration, "chat")}
    if sample:
        body["sample"] = sample
    if overrides:
        body["overrides"] = overrides
    with stack.sandbox("jivo") as jivo:
        return jivo.post("/_sandbox/send", json=body).raise_for_status().json()


def pontes_command(stack: Stack, *args: str) -> str:
    """Run a ``pontes`` command on the installation's configuration; what it printed."""
    result = subprocess.run([sys.executable, "-m", "pontes.cli", *args, "--config",
                             str(stack.config_path)], env=stack.env, capture_output=True,
                            text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"pontes {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def crm_login(stack: Stack, connection: str) -> str:
    """Log ``connection`` in as a person does in a browser: open pontes' login address,
    which shows the CRM's authorize page, press its Allow button, and follow the CRM back
    to pontes; returns the heading of the page pontes ends on."""
    with httpx.Client(timeout=30.0, follow_redirects=True) as browser:
        page = browser.get(f"{stack.server_url}/oauth/{connection}/start").raise_for_status()
        form = re.search(r"<form method=post action=([^ >]+)>(.*?)</form>", page.text, re.S)
        if form is None:
            raise RuntimeError(f"no Allow form on {page.url}: {page.text[:300]}")
        fields = {name: unescape(value) for name, value in re.findall(
            r'<input type=hidden name=(\w+) value="([^"]*)">', form.group(2))}
        done = browser.post(urljoin(str(page.url), form.group(1)), data=fields)
    done.raise_for_status()
    heading = re.search(r"<h1>(.*?)</h1>", done.text)
    return unescape(heading.group(1)) if heading else done.text[:100]


def amocrm_api(stack: Stack, method: str, path: str, **kwargs: Any) -> Any:
    """Call the amoCRM sandbox's API as the account's own people do (its long-lived
    token), not through pontes' connection."""
    with stack.sandbox("amocrm") as amocrm:
        answer = amocrm.request(method, path, **kwargs, headers={
            "Authorization": f"Bearer {AMOCRM_ACCOUNT_TOKEN}"})
    answer.raise_for_status()
    return answer.json() if answer.status_code != 204 else None


def amocrm_add_contact(stack: Stack, name: str, email: str) -> int:
    """A salesperson adds a contact with an e-mail in amoCRM; returns its id."""
    answer = amocrm_api(stack, "POST", "/api/v4/contacts", json=[{
        "name": name, "custom_fields_values": [
            {"field_code": "EMAIL", "values": [{"value": email, "enum_code": "WORK"}]}]}])
    return answer["_embedded"]["contacts"][0]["id"]


def amocrm_records(stack: Stack, entity: str) -> list[dict[str, Any]]:
    """Every contact, company or lead (``entity``) of the amoCRM sandbox."""
    with stack.sandbox("amocrm") as amocrm:
        return amocrm.get(f"/_sandbox/records/{entity}").raise_for_status().json()


def request_example(stack: Stack, integration: str) -> tuple[str, dict[str, Any]]:
    """The request URL and the body ``pontes hooks`` prints for ``integration``."""
    printed = pontes_command(stack, "hooks")
    (url,) = [r.url for r in stack.runtime.request_urls() if r.integration == integration]
    section = printed[printed.index(f"POST {url}"):]
    body, _end = json.JSONDecoder().raw_decode(section[section.index("{"):])
    return url, body


def usedesk_rule(stack: Stack, name: str, url: str, data: dict[str, Any],
                 on: str = "ticket_changed") -> None:
    """What a Usedesk admin sets up in Settings -> Triggers: a rule that runs when a
    ticket changes (or is created) and whose action is a "POST request" of ``data``."""
    with stack.sandbox("usedesk") as usedesk:
        usedesk.post("/_sandbox/rules", json={"name": name, "on": on, "url": url,
                                              "data": data, "headers": []}
                     ).raise_for_status()


def usedesk_api(stack: Stack, method: str, **params: Any) -> dict[str, Any]:
    """Call the Usedesk sandbox's API (``/update/ticket``...) as an agent's tools do."""
    token = stack.runtime.connections["usedesk"].settings.api_token.get_secret_value()
    with stack.sandbox("usedesk") as usedesk:
        answer = usedesk.post(method, json={"api_token": token, **params})
    answer.raise_for_status()
    return answer.json()


def usedesk_deliveries(stack: Stack) -> list[dict[str, Any]]:
    """What the Usedesk sandbox posted so far (webhooks and rules' requests), with the
    answers it got."""
    with stack.sandbox("usedesk") as usedesk:
        return usedesk.get("/_sandbox/deliveries").raise_for_status().json()


def usedesk_block(stack: Stack, integration: str, name: str, language: str = "en") -> None:
    """What a Usedesk admin sets up in Settings -> Blocks: a dynamic block posting to the
    integration's URL, with its parameters."""
    with stack.sandbox("usedesk") as usedesk:
        usedesk.post("/_sandbox/blocks", json={
            "name": name, "title": name, "url": stack.hook_url(integration, "helpdesk"),
            "parameters": {"language": language}}).raise_for_status()


def usedesk_open_card(stack: Stack, ticket_id: int | str) -> list[dict[str, Any]]:
    """An agent opens a ticket's card: Usedesk posts to its blocks; what each one shows
    (``{name, html, error}``)."""
    with stack.sandbox("usedesk") as usedesk:
        return usedesk.post(f"/_sandbox/tickets/{ticket_id}/blocks",
                            json={"automatic": True}).raise_for_status().json()


def usedesk_card_url(stack: Stack, ticket_id: int | str) -> str:
    """The address of a ticket's card in the Usedesk sandbox, to open in a browser."""
    return f"{stack.sandbox_urls['usedesk']}/_sandbox/tickets/{ticket_id}/card"
