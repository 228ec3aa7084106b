"""``contact_sync``'s activation checks every custom field a mapping writes against the
field list of the side it writes to (Bigin's sandbox lists its contact fields)."""

from __future__ import annotations

import pytest
from contact_sync_support import Vendors
from pontes.errors import ConfigError
from pontes.recipes.contact_sync.activation import check_custom_fields


def checked(tmp_path, mapping: dict) -> list:
    vendors = Vendors(tmp_path, mapping=mapping)
    try:
        return vendors.loop.run_until_complete(check_custom_fields(vendors.integration))
    finally:
        vendors.close()


def test_a_custom_field_bigin_has_passes(tmp_path):
    steps = checked(tmp_path, {"contact_to_crm": {"custom.Title": {"value": "Client"}}})
    assert [(s.title, s.detail) for s in steps] == [
        ("bigin: mapped custom fields", "1 checked against its field list")]


def test_a_misspelt_custom_field_stops_activation_naming_the_mapping_key(tmp_path):
    with pytest.raises(ConfigError) as refused:
        checked(tmp_path, {"contact_to_crm": {"custom.Titel": {"value": "Client"}}})
    message = str(refused.value)
    assert "integrations.sync.mapping.contact_to_crm" in message
    assert "no contact field 'Titel'" in message and "Title" in message
