"""Found by ``make fuzz`` on Usedesk's webhook: a delivery whose ``secret`` was thousands of
accented characters held the server for minutes, compiling the pattern that masks that
value in every spelling (and growing to gigabytes). Values a delivery carries are masked
as secrets only up to ``MAX_CARRIED_SECRET`` characters: channel tokens and block keys are
far shorter, and a longer value is none of the installation's credentials."""

from __future__ import annotations

import pytest
from pontes.engine.inbox import MAX_CARRIED_SECRET, carried_secrets
from pontes.plugins import load_plugins
from pontes.testing import webhook_request


@pytest.fixture(scope="module")
def usedesk_webhook():
    triggers = load_plugins(["usedesk"]).registry.webhook_triggers("usedesk")
    [trigger] = [t for t in triggers if t.name == "webhook"]
    return trigger


def test_a_channel_token_sent_in_the_body_is_masked(usedesk_webhook):
    request = webhook_request({"secret": "a-channel-token-sent-wrong", "ticket": {"id": 1}})
    assert carried_secrets(None, [usedesk_webhook], request) == ("a-channel-token-sent-wrong",)


@pytest.mark.parametrize("length", [MAX_CARRIED_SECRET + 1, 5_000])
def test_a_value_too_long_to_be_a_token_is_not_made_a_secret(usedesk_webhook, length):
    request = webhook_request({"secret": "é" * length, "ticket": {"id": 1},
                               "secret_key": "block-key-0123"})
    assert carried_secrets(None, [usedesk_webhook], request) == ("block-key-0123",)
