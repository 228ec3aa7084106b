"""The webhooks the sandbox sends when deals, persons and companies change.

By default a delivery is the full snapshot form (``Entity`` plural, ``Action`` a word,
``New``/``Old`` with custom fields flattened to ``{FieldKey: value}`` and times without
offset); the sandbox can be switched to the thin ``ResourceId`` form.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from pontes.plugin import WebhookSender

from .schema import ENTITY_NAMES, VALUE_COLUMNS, WEBHOOK_ACTION_NAMES
from .seed import ACCOUNT_ID
from .state import Store, naive_time

FULL, THIN = "full", "thin"


def snapshot(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored row as webhook snapshots show it."""
    if row is None:
        return None
    shown = copy.deepcopy(row)
    for name, value in row.items():
        if name.endswith("Date") and isinstance(value, str):
            shown[name] = naive_time(value)
    if "OtherProperties" in row:
        shown["OtherProperties"] = {
            item["FieldKey"]: next((item[c] for c in VALUE_COLUMNS if item.get(c) is not None), None)
            for item in row["OtherProperties"]}
    return shown


def _body(shape: str, hook: dict[str, Any], action: int, actor: int,
          new: dict[str, Any] | None, old: dict[str, Any] | None) -> dict[str, Any]:
    entity = ENTITY_NAMES[hook["EntityId"]]
    if shape == THIN:
        return {"ResourceId": (new or old or {}).get("Id"), "Entity": entity,
                "Action": WEBHOOK_ACTION_NAMES[action], "ValidationKey": hook["ValidationKey"],
                "UserId": actor}
    return {
        "AccountId": ACCOUNT_ID,
        "Action": WEBHOOK_ACTION_NAMES[action],
        "ActionUserId": actor,
        "Entity": entity,
        "SecondaryEntityId": None,
        "New": snapshot(new),
        "Old": snapshot(old),
        "WebhookCreatorId": hook["CreatorId"],
        "WebhookId": hook["Id"],
    }


def notify(store: Store, sender: WebhookSender, shape: str, entity: int, action: int,
           actor: int, new: dict[str, Any] | None, old: dict[str, Any] | None,
           watch: Callable[[int], Callable[[Any], None]]) -> None:
    """Send the delivery of ``(entity, action)`` to every active webhook subscribed to it;
    ``watch(webhook id)`` is told how each delivery went."""
    for hook in store.rows("Webhooks"):
        if hook["Active"] and hook["EntityId"] == entity and hook["ActionId"] == action:
            sender.send(hook["CallbackUrl"], _body(shape, hook, action, actor, new, old),
                        on_done=watch(hook["Id"]))
