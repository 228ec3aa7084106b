"""Notifications as Bigin sends them: to every live channel watching the change, a JSON
body with ids only and the channel's own ``token``."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from pontes.plugin import SandboxControl

from .state import BiginState

EVENT_OF_OPERATION = {"insert": "create", "update": "edit", "delete": "delete"}


def is_live(channel: dict[str, Any], now: datetime | None = None) -> bool:
    """Whether a channel has not expired."""
    expiry = datetime.fromisoformat(channel["channel_expiry"])
    return expiry > (now or datetime.now(UTC))


def watches(channel: dict[str, Any], module: str, operation: str) -> bool:
    """Whether ``channel`` watches ``operation`` on ``module``."""
    wanted = {f"{module}.{EVENT_OF_OPERATION[operation]}", f"{module}.all"}
    return bool(wanted & set(channel["events"]))


def notify(control: SandboxControl, state: BiginState, base_url: str, module: str,
           operation: str, record: dict[str, Any], affected: list[str]) -> None:
    """Post the change to every live channel watching it."""
    for channel in list(state.channels.values()):
        if not is_live(channel) or not watches(channel, module, operation):
            continue
        body = {"server_time": int(time.time() * 1000), "query_params": {}, "module": module,
                "resource_uri": f"{base_url}/bigin/v2/{module}", "ids": [record["id"]],
                "affected_fields": [{record["id"]: affected}] if affected else [],
                "operation": operation, "channel_id": str(channel["channel_id"]),
                "token": channel.get("token")}
        control.webhooks.send(channel["notify_url"], body)
