"""The Jivo sandbox: plays Jivo's side of the Webhooks API (see ``control`` for its endpoints)."""

from __future__ import annotations

from typing import Any

from ..connector import kit
from .app import build_app
from .samples import WIDGET_ID


def sandbox_settings(base_url: str, **options: Any) -> dict[str, Any]:
    """A ``jivo`` connection that accepts the sandbox's channel.

    The sandbox takes no options (``build_app()`` has none), so any given is refused.
    """
    if options:
        raise TypeError(f"the Jivo sandbox takes no options, got {', '.join(sorted(options))}")
    return {"plugin": kit.name, "base_url": base_url, "widget_id": WIDGET_ID}


kit.sandbox(
    app=build_app,
    settings=sandbox_settings,
    description="Sends Jivo webhook bodies (sample chats, every event) to a URL and "
                "judges the answers as Jivo does.",
)
