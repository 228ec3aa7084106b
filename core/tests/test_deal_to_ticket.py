"""``deal_to_ticket``'s integration user: the option, else named after the helpdesk."""

import pytest
from pontes.config import parse_config
from pontes.plugins import load_plugins
from pontes.recipes.deal_to_ticket import integration_user
from pontes.runtime import Runtime


@pytest.fixture(scope="module")
def plugins():
    return load_plugins(["movidesk", "ploomes"])


def integration(plugins, **options):
    sandboxes = plugins.registry.sandboxes
    config = parse_config({
        "public_url": "https://pontes.example.com",
        "connections": {name: sandboxes[name].settings("http://127.0.0.1:9")
                        for name in ("movidesk", "ploomes")},
        "integrations": {"deal-ticket": {"recipe": "deal_to_ticket", "crm": "ploomes",
                                         "helpdesk": "movidesk", "options": options}},
    })
    return Runtime.build(config, plugins=plugins, key=b"test-key").integrations["deal-ticket"]


def test_the_integration_user_is_named_after_the_helpdesk_by_default(plugins):
    found = integration(plugins)
    assert integration_user(found) == found.connections["helpdesk"].connector.title
    assert integration_user(found) == "Movidesk"  # seed 000's user in Ploomes


def test_the_integration_user_option_wins(plugins):
    assert integration_user(integration(plugins, integration_user="Suporte")) == "Suporte"
