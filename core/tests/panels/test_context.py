"""The panel's signed context: good for one integration, unchangeable, expiring."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from pontes.panels.context import PanelContext, open_context, panel_url, sign_context
from pontes.web.signing import BadSignature


def integration(name: str = "block", token: str = "hook-token"):
    """What the context needs of an integration: its name, webhook tokens, public URL."""
    return SimpleNamespace(name=name, webhook_tokens={"helpdesk": token},
                           public_url="https://pontes.example")


CONTEXT = PanelContext(integration="block", ticket="153341111", client="242630",
                       name="Ivan Petrov", emails=("ivan@example.org",),
                       phones=("+79990001122",), language="ru")


def test_the_context_comes_back_as_it_was_signed():
    assert open_context(integration(), sign_context(integration(), CONTEXT)) == CONTEXT


def test_the_url_carries_the_context_to_the_integrations_panel():
    url = panel_url(integration(), CONTEXT, "/settings")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == \
        "https://pontes.example/panels/block/settings"
    assert open_context(integration(), parse_qs(parts.query)["ctx"][0]) == CONTEXT


def test_another_integration_refuses_it():
    token = sign_context(integration(), CONTEXT)
    with pytest.raises(BadSignature):
        open_context(integration("other"), token)
    with pytest.raises(BadSignature, match="another integration"):
        same_key = integration("other")
        same_key.name = "block"
        open_context(same_key, sign_context(same_key, CONTEXT.model_copy(
            update={"integration": "other"})))


def test_new_webhook_tokens_retire_every_panel_url():
    token = sign_context(integration(), CONTEXT)
    with pytest.raises(BadSignature):
        open_context(integration(token="rotated"), token)


def test_a_changed_or_expired_context_is_refused():
    token = sign_context(integration(), CONTEXT, now=1000.0)
    other = sign_context(integration(), CONTEXT.model_copy(update={"ticket": "1"}), now=1000.0)
    with pytest.raises(BadSignature):
        open_context(integration(), other.partition(".")[0] + "." + token.partition(".")[2])
    with pytest.raises(BadSignature, match="expired"):
        open_context(integration(), token, now=1000.0 + 13 * 3600)
