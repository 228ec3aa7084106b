"""The plugin as pontes finds it: entry point, connector, settings and check."""

from __future__ import annotations

import pytest
from pontes.plugin import CAPABILITIES, ConfigError
from pontes.plugins import installed_plugins
from pontes_jivo.client import JIVO_SITE_URL
from pontes_jivo.connector import JivoSettings
from pydantic import ValidationError


def test_installed_through_its_entry_point():
    [info] = [p for p in installed_plugins() if p.name == "jivo"]
    assert info.loaded, info.error
    assert info.distribution == "pontes-jivo" and info.module == "pontes_jivo"


def test_registers_a_chat_connector_with_every_trigger_and_no_actions(pontes_registry):
    connector = pontes_registry.connectors["jivo"]
    assert connector.roles == ("chat",) and connector.settings is JivoSettings
    assert {c for c in pontes_registry.capabilities("jivo") if c in CAPABILITIES} == {
        "chat.finished", "chat.accepted", "chat.updated", "chat.offline_message",
        "chat.client_updated", "call.event"}
    assert not [key for key in pontes_registry.actions if key[0] == "jivo"]


@pytest.mark.parametrize(("settings", "field"), [
    ({"widget_id": "  "}, "widget_id"),
    ({"phone_region": "XY"}, "phone_region"),
    ({"base_url": "ftp://example.com"}, "base_url"),
    ({"plugin": "usedesk"}, "plugin"),
    ({"token": "abc"}, "token"),
])
def test_bad_settings_name_the_field(settings, field):
    with pytest.raises(ValidationError) as caught:
        JivoSettings.model_validate({"plugin": "jivo", **settings})
    assert caught.value.errors()[0]["loc"] == (field,)


def test_settings_are_tidied():
    settings = JivoSettings.model_validate({"plugin": "jivo", "widget_id": " 51234 ",
                                            "phone_region": "pt"})
    assert settings.widget_id == "51234" and settings.phone_region == "PT"


@pytest.mark.anyio
async def test_check_accepts_complete_settings_and_calls_nothing(jivo_connection):
    connection = jivo_connection(widget_id="51234", base_url="http://127.0.0.1:9")
    await connection.connector.check(connection)
    assert connection._client is None


@pytest.mark.anyio
async def test_check_refuses_settings_spoiled_after_loading(jivo_connection):
    connection = jivo_connection("site")
    connection.settings.phone_region = "Atlantis"
    with pytest.raises(ConfigError, match="connection 'site': phone_region: .*'Atlantis'"):
        await connection.connector.check(connection)


@pytest.mark.anyio
async def test_the_client_points_at_the_sandbox_or_jivo(jivo_connection):
    sandboxed = jivo_connection(base_url="http://127.0.0.1:9")
    default = jivo_connection("other")
    try:
        assert sandboxed.client.base_url == "http://127.0.0.1:9"
        assert default.client.base_url == JIVO_SITE_URL
    finally:
        await sandboxed.aclose()
        await default.aclose()
