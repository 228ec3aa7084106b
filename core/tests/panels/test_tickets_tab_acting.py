"""Who a Tickets tab acts for: the shared address and the personal ones (their keys, what
they prove, what is refused), the user a page acts for, and the refusals' translations."""

from __future__ import annotations

import json
from importlib import resources
from types import SimpleNamespace

import pytest
from pontes.panels.tickets_tab.acting import MESSAGES, acting_user, shown_read_only
from pontes.panels.tickets_tab.context import (
    InvalidAddress,
    TabContext,
    address_proves_user,
    personal_address,
    personal_addresses,
    tab_key,
    user_key,
)


def integration(name: str = "tickets", token: str = "hook-token", agents=None):
    """What the addresses need of an integration: its name, tokens, URL and options."""
    return SimpleNamespace(name=name, webhook_tokens={"helpdesk": token},
                           public_url="https://pontes.example",
                           recipe=SimpleNamespace(name="tickets_tab"),
                           options=SimpleNamespace(agents=agents or {}))


def test_the_shared_key_proves_nobody_and_a_personal_key_proves_its_user():
    tab = integration()
    assert address_proves_user(tab, tab_key(tab), None) is False
    assert address_proves_user(tab, tab_key(tab), "ana@x.example") is False
    assert address_proves_user(tab, user_key(tab, "ana@x.example"), "ana@x.example") is True


@pytest.mark.parametrize("key, user", [
    (user_key(integration(), "ana@x.example"), "bob@x.example"),
    (user_key(integration(), "ana@x.example"), None),
    (user_key(integration("other"), "ana@x.example"), "ana@x.example"),
    (user_key(integration(token="new-token"), "ana@x.example"), "ana@x.example"),
    (tab_key(integration("other")), None),
    ("", "ana@x.example"),
])
def test_a_key_of_another_user_integration_or_token_is_refused(key, user):
    with pytest.raises(InvalidAddress):
        address_proves_user(integration(), key, user)


def test_each_mapped_user_has_an_address_that_names_them_with_the_placeholders():
    tab = integration(agents={"a+b@x.example": "7", "ana@x.example": "8"})
    addresses = personal_addresses(tab)
    assert list(addresses) == ["a+b@x.example", "ana@x.example"]
    assert addresses["a+b@x.example"] == (
        f"https://pontes.example/tabs/tickets/{user_key(tab, 'a+b@x.example')}"
        "?user=a%2Bb%40x.example&module={module}&id={id}")
    assert personal_address(tab, "ana@x.example").format(module="deals", id="5").endswith(
        "?user=ana%40x.example&module=deals&id=5")
    assert user_key(tab, "ana@x.example") != user_key(tab, "a+b@x.example") != tab_key(tab)


@pytest.mark.parametrize("user, proven, default, acting, read_only", [
    ("ana", True, None, "ana", False),
    ("ana", True, "sam", "ana", False),
    ("ana", False, None, None, True),
    ("ana", False, "sam", "sam", False),
    (None, False, "sam", "sam", False),
    (None, False, None, None, False),
])
def test_a_page_acts_for_the_proven_user_else_the_default_user(user, proven, default,
                                                               acting, read_only):
    context = TabContext(integration="tickets", kind="contact", record="1", user=user,
                         proven=proven)
    assert acting_user(context, default) == acting
    assert shown_read_only(context, default) is read_only


@pytest.mark.parametrize("language", ["es", "pt", "ru"])
def test_every_refusal_about_the_user_or_the_agent_is_translated(language):
    catalog = json.loads(resources.files("pontes.web").joinpath(
        "locales", f"{language}.json").read_text(encoding="utf-8"))
    assert not [m for m in MESSAGES if m not in catalog]
    for message in MESSAGES:
        assert sorted(_placeholders(catalog[message])) == sorted(_placeholders(message))


def _placeholders(text: str) -> list[str]:
    return [part.split(")")[0] for part in text.split("%(")[1:]]
