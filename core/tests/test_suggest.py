"""Suggestions for configuration mistakes: the closest name, the allowed ones, what to install."""

from __future__ import annotations

import pytest
from pontes.errors import PluginLoadError
from pontes.plugins import load_plugins
from pontes.suggest import closest, did_you_mean, hint, unknown_name


def test_a_typo_finds_the_intended_name():
    assert closest("conections", ["store", "connections", "integrations"]) == "connections"
    assert closest("stor", ["store", "public_url"]) == "store"
    assert did_you_mean("optons", ["options", "mapping"]) == "did you mean 'options'?"


def test_a_name_far_from_every_choice_gets_no_suggestion():
    assert closest("zzz", ["store", "connections"]) is None
    assert did_you_mean("movidesk", ["toydesk", "toycrm"]) == ""


def test_the_hint_lists_the_allowed_names_sorted():
    assert hint("stor", ["store", "plugins"], "allowed keys") == \
        "did you mean 'store'? allowed keys: plugins, store"
    assert hint("zzz", [], "allowed keys") == "allowed keys: none"
    assert unknown_name("recipe", "tickets", ["ticket_history"], "expected one of") == \
        "unknown recipe 'tickets'; expected one of: ticket_history"


def test_every_enabled_plugin_that_is_not_installed_is_named_with_its_distribution():
    with pytest.raises(PluginLoadError) as caught:
        load_plugins(["zendesk", "movidesk", "freshdesk"])
    message = str(caught.value)
    assert "enabled plugin(s) not installed: freshdesk, zendesk; installed: " in message
    assert message.endswith("install with: pip install pontes-freshdesk pontes-zendesk")
