"""Configuration loading and checking: every mistake names the file, key path and what was expected."""

import sys
from pathlib import Path

import pytest
from pontes.config import Config, config_keys, load_config, parse_config
from pontes.errors import ConfigError
from pontes.plugins import load_plugins
from pontes.runtime import Runtime

sys.path.insert(0, str(Path(__file__).parent))
from support import toy_plugin  # noqa: E402

GOOD = """
store: sqlite:///pontes.db
public_url: https://pontes.example.com/
connections:
  desk: {plugin: toydesk, token: "${DESK_TOKEN}"}
  crm:  {plugin: toycrm, api_key: "${CRM_KEY:-dev-key}"}
integrations:
  support-history:
    recipe: ticket_history
    helpdesk: desk
    crm: crm
    options: {create_clients: false}
    mapping:
      contact:
        custom.origin: {value: helpdesk}
"""


@pytest.fixture(scope="module")
def plugins():
    return load_plugins(enabled=[], extra=[toy_plugin])


def write(tmp_path, text):
    path = tmp_path / "pontes.yaml"
    path.write_text(text)
    return path


def build(tmp_path, plugins, text, env=None):
    config = load_config(write(tmp_path, text), environ={"DESK_TOKEN": "t0k3n-desk", **(env or {})})
    return Runtime.build(config, plugins=plugins, key=b"test-key")


def error_of(tmp_path, plugins, text, env=None) -> str:
    with pytest.raises(ConfigError) as caught:
        build(tmp_path, plugins, text, env)
    return str(caught.value)


def test_good_config_builds_connections_integrations_and_hook_urls(tmp_path, plugins):
    runtime = build(tmp_path, plugins, GOOD)
    assert runtime.connections["desk"].settings.token.get_secret_value() == "t0k3n-desk"
    assert runtime.connections["crm"].settings.api_key.get_secret_value() == "dev-key"
    (hook,) = runtime.hook_urls()
    assert hook.integration == "support-history" and hook.role == "helpdesk"
    assert hook.url.startswith("https://pontes.example.com/hooks/support-history/")
    secret = hook.url.rsplit("/", 1)[1]
    assert len(secret) >= 24
    integration, role = runtime.resolve_hook("support-history", secret)
    assert role == "helpdesk" and integration.name == "support-history"
    assert runtime.resolve_hook("support-history", secret[:-1] + "x") is None
    assert runtime.resolve_hook("nope", secret) is None


def test_hook_secret_is_stable_for_a_key_and_differs_between_keys(tmp_path, plugins):
    config = load_config(write(tmp_path, GOOD), environ={"DESK_TOKEN": "x"})
    first = Runtime.build(config, plugins=plugins, key=b"one").hook_urls()[0].url
    again = Runtime.build(config, plugins=plugins, key=b"one").hook_urls()[0].url
    other = Runtime.build(config, plugins=plugins, key=b"two").hook_urls()[0].url
    assert first == again != other


def test_missing_environment_variable_names_the_key(tmp_path, plugins):
    path = write(tmp_path, GOOD)
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    message = str(caught.value)
    assert message == f"{path}: connections.desk.token: environment variable DESK_TOKEN is not set"


def test_yaml_syntax_error_names_line(tmp_path, plugins):
    message = error_of(tmp_path, plugins, "connections:\n  desk: {plugin: toydesk\n")
    assert "pontes.yaml: not valid YAML at line" in message


def test_unknown_connector_lists_the_known_ones_and_says_what_to_install(tmp_path, plugins):
    message = error_of(tmp_path, plugins, GOOD.replace("plugin: toycrm", "plugin: ploomez"))
    assert message.endswith("pontes.yaml: connections.crm.plugin: unknown connector 'ploomez'; "
                            "expected one of: toycrm, toydesk; if it is a plugin, install it: "
                            "pip install pontes-ploomez")


def test_every_connector_that_is_not_installed_is_reported(tmp_path, plugins):
    text = GOOD.replace("plugin: toycrm", "plugin: ploomes").replace("plugin: toydesk",
                                                                     "plugin: movidesk")
    lines = error_of(tmp_path, plugins, text).splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("connections.desk.plugin: unknown connector 'movidesk'; expected "
                             "one of: toycrm, toydesk; if it is a plugin, install it: "
                             "pip install pontes-movidesk")
    assert lines[1].endswith("pip install pontes-ploomes")


def test_a_connector_typo_gets_the_closest_name_and_no_install_advice(tmp_path, plugins):
    message = error_of(tmp_path, plugins, GOOD.replace("plugin: toycrm", "plugin: toycmr"))
    assert message.endswith("connections.crm.plugin: unknown connector 'toycmr'; did you mean "
                            "'toycrm'? expected one of: toycrm, toydesk")


def test_bad_connection_setting_names_the_field(tmp_path, plugins):
    message = error_of(tmp_path, plugins, GOOD.replace("token: \"${DESK_TOKEN}\"", "tokn: abc"))
    assert "pontes.yaml: connections.desk.token: required key is missing" in message
    assert "pontes.yaml: connections.desk.tokn: unknown key" in message


def test_unknown_recipe_lists_recipes(tmp_path, plugins):
    message = error_of(tmp_path, plugins, GOOD.replace("recipe: ticket_history", "recipe: zzz"))
    expected = "integrations.support-history.recipe: unknown recipe 'zzz'; expected one of: "
    assert expected in message
    assert {"chat_to_crm", "deal_to_ticket", "ticket_history"} <= set(
        message.split(expected, 1)[1].split(", "))


def test_a_recipe_typo_gets_the_closest_name(tmp_path, plugins):
    message = error_of(tmp_path, plugins,
                       GOOD.replace("recipe: ticket_history", "recipe: ticket_histroy"))
    assert "unknown recipe 'ticket_histroy'; did you mean 'ticket_history'? " in message


def test_missing_role_is_named(tmp_path, plugins):
    message = error_of(tmp_path, plugins, GOOD.replace("    crm: crm\n", ""))
    assert "integrations.support-history.crm: required key is missing" in message


def test_role_pointing_to_unknown_connection(tmp_path, plugins):
    message = error_of(tmp_path, plugins, GOOD.replace("    crm: crm\n", "    crm: hubspot\n"))
    assert message.endswith("integrations.support-history.crm: unknown connection 'hubspot'; "
                            "expected one of: crm, desk")


def test_connection_lacking_a_capability(tmp_path, plugins):
    swapped = GOOD.replace("helpdesk: desk\n    crm: crm", "helpdesk: desk\n    crm: desk")
    message = error_of(tmp_path, plugins, swapped)
    assert "integrations.support-history.crm: connection 'desk' (Toy Desk) cannot do " \
           "contact.find_by_email, interaction.create" in message


def test_bad_option_names_the_option_and_lists_the_recipe_options(tmp_path, plugins):
    message = error_of(tmp_path, plugins,
                       GOOD.replace("{create_clients: false}", "{create_client: true}"))
    assert message.endswith(
        "integrations.support-history.options.create_client: unknown key; did you mean "
        "'create_clients'? options of recipe 'ticket_history': create_clients, date_format, "
        "statuses, subject, template")


def test_an_unknown_template_placeholder_fails_the_load_not_the_first_event(tmp_path, plugins):
    message = error_of(tmp_path, plugins,
                       GOOD.replace("{create_clients: false}", '{subject: "Ticket {numbr}"}'))
    assert message.endswith("integrations.support-history.options.subject: unknown placeholder "
                            "{numbr}; did you mean 'number'? known placeholders: category, "
                            "description, number, opened_at, owner, requester, status, "
                            "subject, team, urgency, url")


def test_a_misspelt_options_key_is_an_unknown_key_not_a_missing_role(tmp_path, plugins):
    message = error_of(tmp_path, plugins, GOOD.replace("    options:", "    optons:"))
    assert message.endswith(
        "integrations.support-history.optons: unknown key (neither a setting nor a role of "
        "recipe 'ticket_history'); did you mean 'options'? allowed keys: crm, enabled, "
        "helpdesk, mapping, max_attempts, options, poll, poll_interval, recipe, secrets")
    assert "required key is missing" not in message


def test_unknown_mapping_slot_lists_slots(tmp_path, plugins):
    message = error_of(tmp_path, plugins, GOOD.replace("      contact:\n", "      person:\n"))
    assert "integrations.support-history.mapping.person: recipe 'ticket_history' has no " \
           "mapping 'person'; expected one of: contact, company" in message


def test_unknown_mapping_target_field_names_the_path(tmp_path, plugins):
    message = error_of(tmp_path, plugins, GOOD.replace("custom.origin:", "nickname:"))
    assert "integrations.support-history.mapping.contact" in message
    assert "nickname" in message


def test_unknown_transform_lists_transforms(tmp_path, plugins):
    bad = GOOD.replace("custom.origin: {value: helpdesk}",
                       "custom.origin: {from: name, transform: br_decimals}")
    message = error_of(tmp_path, plugins, bad)
    assert "integrations.support-history.mapping.contact" in message
    assert "br_decimals" in message and "br_decimal" in message


ALLOWED_TOP_KEYS = ", ".join(sorted(config_keys(Config)))


def test_the_allowed_top_keys_are_the_ones_an_operator_writes():
    assert {"store", "public_url", "connections", "integrations", "secret_key_file",
            "log_format", "plugins"} <= set(config_keys(Config))
    assert "source" not in config_keys(Config) and "directory" not in config_keys(Config)


def test_top_level_typo_is_an_unknown_key_with_a_suggestion(tmp_path, plugins):
    message = error_of(tmp_path, plugins, "stor: sqlite:///x.db\n")
    assert message == (f"{tmp_path / 'pontes.yaml'}: stor: unknown key; did you mean 'store'? "
                       f"allowed keys: {ALLOWED_TOP_KEYS}")


def test_top_level_key_far_from_any_lists_the_allowed_keys_only(tmp_path, plugins):
    message = error_of(tmp_path, plugins, "zzz: 1\n")
    assert message.endswith(f"zzz: unknown key; allowed keys: {ALLOWED_TOP_KEYS}")


def test_misspelt_connections_key_suggests_connections(tmp_path, plugins):
    message = error_of(tmp_path, plugins, GOOD.replace("connections:", "conections:"))
    assert "conections: unknown key; did you mean 'connections'? allowed keys: " in message


def test_unknown_connection_setting_suggests_the_setting(tmp_path, plugins):
    message = error_of(tmp_path, plugins, GOOD.replace("api_key:", "api_kee:"))
    assert "connections.crm.api_kee: unknown key; did you mean 'api_key'? allowed keys: " \
        in message


def test_parse_config_requires_a_mapping():
    with pytest.raises(ConfigError, match="expected a mapping at the top, got list"):
        parse_config([1, 2], "inline.yaml")


@pytest.mark.parametrize("key", ["source", "directory"])
def test_the_fields_pontes_fills_itself_are_unknown_keys_in_the_file(tmp_path, plugins, key):
    message = error_of(tmp_path, plugins, f"{key}: /somewhere/else\n")
    assert message.startswith(f"{tmp_path / 'pontes.yaml'}: {key}: unknown key; ")
    assert "allowed keys: " in message
