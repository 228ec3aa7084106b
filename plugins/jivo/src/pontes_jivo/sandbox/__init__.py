"""The Jivo sandbox: plays Jivo's side of the Webhooks API (see ``app`` for its endpoints)."""

from __future__ import annotations

from typing import Any

from pontes.connector import Sandbox

from ..connector import CONNECTOR
from .app import build_app
from .samples import SAMPLES, WIDGET_ID

__all__ = ["SAMPLES", "WIDGET_ID", "build_app", "jivo_sandbox", "sandbox_settings"]


def sandbox_settings(base_url: str) -> dict[str, Any]:
    """A ``jivo`` connection that accepts the sandbox's channel."""
    return {"plugin": CONNECTOR, "base_url": base_url, "widget_id": WIDGET_ID}


def jivo_sandbox() -> Sandbox:
    """The registered Jivo sandbox."""
    return Sandbox(
        connector=CONNECTOR,
        app=build_app,
        settings=sandbox_settings,
        description="Sends Jivo webhook bodies (sample chats, every event) to a URL and "
                    "judges the answers as Jivo does.",
    )
