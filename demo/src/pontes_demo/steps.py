"""What a person does in each vendor's screen, played through the sandboxes' controls and
APIs: resolve a ticket, create a deal, finish a chat."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from pontes.testing.stack import Stack

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
