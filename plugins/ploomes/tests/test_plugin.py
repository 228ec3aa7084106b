"""The plugin as pontes discovers it: registrations and settings."""

from __future__ import annotations

import pytest
from pontes.plugin import Deal, UserRef
from pontes.recipes.deal_to_ticket import assigned_to
from pontes_ploomes.client import DEFAULT_BASE_URL
from pontes_ploomes.connector import PloomesSettings
from pydantic import ValidationError

CAPABILITIES = {
    "contact.find_by_email", "contact.find_by_phone", "contact.get", "contact.create",
    "contact.find_created", "contact.list_by_email", "contact.list_by_phone", "contact.list",
    "company.find_by_email", "company.find_by_name", "company.get", "company.create",
    "company.find_created", "company.list", "contact.update", "company.update",
    "deal.create", "deal.find_created", "deal.get", "deal.update", "deal.finish",
    "deal.list_for_client", "pipeline.list", "interaction.create", "interaction.find_created",
    "user.ensure",
    "webhook.register", "webhook.remove", "webhook.list",
    "deal.created", "deal.changed", "contact.changed", "company.changed",
}


def test_registrations(pontes_registry):
    registry = pontes_registry
    connector = registry.connectors["ploomes"]
    assert connector.roles == ("crm",) and connector.settings is PloomesSettings
    assert registry.capabilities("ploomes") == CAPABILITIES
    assert {entity for (owner, entity) in registry.mappers if owner == "ploomes"} == {
        "contact", "company", "deal", "interaction"}
    assert "ploomes" in registry.sandboxes
    assert registry.origin[("connector", "ploomes")] == "ploomes"


def test_settings_defaults_and_secrecy():
    settings = PloomesSettings(user_key="k-123456")
    assert settings.base_url == DEFAULT_BASE_URL and settings.requests_per_minute == 120
    assert "k-123456" not in repr(settings) and "k-123456" not in settings.model_dump_json()


@pytest.mark.parametrize(("entry", "field"), [
    ({}, "user_key"),
    ({"user_key": "k", "requests_per_minute": 0}, "requests_per_minute"),
    ({"user_key": "k", "default_stage_id": "first"}, "default_stage_id"),
    ({"user_key": "k", "userkey": "k"}, "userkey"),
])
def test_bad_settings_name_the_field(entry, field):
    with pytest.raises(ValidationError) as raised:
        PloomesSettings.model_validate({"plugin": "ploomes", **entry})
    assert field in str(raised.value)


@pytest.mark.anyio
async def test_owner_and_collaborators_let_the_recipe_see_the_integration_user(connection):
    user = await connection.call("user.ensure", name="Movidesk")
    as_owner = await connection.call("deal.create",
                                     Deal(title="a", owner=UserRef(remote_id=user.id)))
    as_collaborator = await connection.call("deal.create", Deal(
        title="b", collaborators=[UserRef(remote_id="10000002"), UserRef(remote_id=user.id)]))
    neither = await connection.call("deal.create", Deal(title="c"))
    fetched = [await connection.call("deal.get", id=d.ref(connection.name))
               for d in (as_owner, as_collaborator, neither)]
    assert [assigned_to(d, user) for d in fetched] == [True, True, False]
