"""The standard connector suite of ``pontes.testing``, run against the Jivo sandbox."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import strategies as st
from pontes.testing.cases import WebhookSample
from pontes.testing.round_trip import canonical_emails, canonical_phones
from pontes.testing.standard import ConnectorStandardTests

EXAMPLES = Path(__file__).parent / "examples"

EVENTS = {
    "chat_finished": ["chat.finished"],
    "chat_accepted": ["chat.accepted"],
    "chat_updated": ["chat.updated"],
    "offline_message": ["chat.offline_message"],
    "client_updated": ["chat.client_updated"],
    "call_event": ["call.event"],
}
"""Each documented Webhooks API body (``examples/<event_name>.json``) and its events."""


class TestJivo(ConnectorStandardTests):
    connector = "jivo"

    def webhook_samples(self):
        return [WebhookSample("webhooks", (EXAMPLES / f"{name}.json").read_bytes(),
                              "application/json", events)
                for name, events in EVENTS.items()]

    def action_cases(self):
        return []

    def mapper_round_trip_fields(self):
        return {
            "chat": ["page_url", "page_title", "visitor.name",
                     ("visitor.emails", st.lists(canonical_emails(), min_size=1, max_size=1)),
                     ("visitor.phones", st.lists(canonical_phones(), min_size=1, max_size=1)),
                     "tags", "description", "utm", "offline"],
        }


def test_the_example_bodies_carry_the_sandbox_channel_id():
    """Posting an example to a demo installation (whose Jivo connection has the sandbox's
    widget_id) runs instead of being refused for another channel."""
    from pontes_jivo.sandbox.samples import WIDGET_ID

    bodies = sorted(EXAMPLES.glob("*.json"))
    assert bodies
    for path in bodies:
        assert json.loads(path.read_text())["widget_id"] == WIDGET_ID, path.name
