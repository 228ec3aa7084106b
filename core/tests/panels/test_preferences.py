"""Panel preferences in the store, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pontes.panels.preferences import PanelPreferences


def test_a_choice_is_kept_per_integration_and_replaced_by_the_next(store):
    preferences = PanelPreferences(store.engine)
    assert preferences.get("block", "deal_fields") is None
    preferences.put("block", "deal_fields", ["1372537"])
    preferences.put("other", "deal_fields", [])
    assert preferences.get("block", "deal_fields") == ["1372537"]
    preferences.put("block", "deal_fields", ["66339", "1372539"])
    assert preferences.get("block", "deal_fields") == ["66339", "1372539"]
    assert preferences.get("other", "deal_fields") == []
    assert preferences.get("block", "something_else") is None
