"""What the Jivo sandbox remembers: each chat as Jivo holds it, and every outcome so far.

A chat starts from its sample's visitor the first time it is sent and keeps what later
changes it: visitor fields an override put in a body, and the ``contact_info`` an agent
panel answer carried. The default number of retries lives here too; the reply timeout is
kept by the webhook sender of the sandbox's ``SandboxControl``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from .samples import Sample


@dataclass
class ChatState:
    """One chat as Jivo remembers it: its visitor, the agent's panel and the chat log."""

    chat_id: str
    sample: str
    visitor: dict[str, Any]
    agent_panel: dict[str, Any] | None = None
    log: list[str] = field(default_factory=list)

    def merge_contact_info(self, info: dict[str, Any]) -> None:
        """Take ``contact_info`` as if the visitor had typed it, and log it."""
        typed = {k: v for k, v in info.items() if k in ("name", "phone", "email") and v}
        self.visitor.update(typed)
        self.log.append("visitor left contact details: " +
                        ", ".join(f"{k}={v}" for k, v in typed.items()))


class JivoState:
    """The chats and outcomes of one sandbox, with how often a failed delivery is repeated."""

    def __init__(self) -> None:
        self.default_retries = 0
        self.chats: dict[str, ChatState] = {}
        self.outcomes: list[dict[str, Any]] = []

    def reset(self) -> None:
        """Forget every chat and outcome (the settings stay as they are)."""
        self.chats.clear()
        self.outcomes.clear()

    def chat_for(self, chat_id: Any, sample: Sample) -> ChatState:
        """The remembered chat, created from ``sample`` the first time it is used."""
        key = str(chat_id)
        if key not in self.chats:
            self.chats[key] = ChatState(key, sample.name, copy.deepcopy(sample.visitor))
        return self.chats[key]
