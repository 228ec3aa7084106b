"""The recipe matrix's adapter for JivoChat (``pontes.testing.matrix``): the sandbox posts
a finished chat, as Jivo's webhook would, with the matrix client as its visitor."""

from __future__ import annotations

import itertools
import random

from pontes.testing.matrix import Client, SandboxAdapter
from pontes.testing.stack import Stack

SAMPLE = "ana-first"
"""The sample chat whose visitor the client replaces."""
_chat_ids = itertools.count(880001)


class JivoAdapter(SandboxAdapter):
    """JivoChat as a live chat in the recipe matrix."""

    connector = "jivo"

    def finish_chat(self, stack: Stack, integration: str, client: Client) -> None:
        """Post ``chat_finished`` to the integration with the client as the visitor (and
        a phone of its own, so no other case's person matches it)."""
        chat_id = next(_chat_ids)
        phone = f"+55119{random.randrange(10**7, 10**8)}"
        with stack.sandbox(self.connector) as jivo:
            outcome = jivo.post("/_sandbox/send", json={
                "event": "chat_finished", "url": stack.hook_url(integration, "chat"),
                "sample": SAMPLE, "overrides": {"chat_id": chat_id, "visitor": {
                    "number": str(chat_id), "name": client.name, "email": client.email,
                    "phone": phone}}}).raise_for_status().json()
        if not outcome.get("ok"):
            raise AssertionError(f"Jivo's delivery to {integration} failed: {outcome}")


ADAPTER = JivoAdapter()
"""The adapter the recipe matrix finds."""
