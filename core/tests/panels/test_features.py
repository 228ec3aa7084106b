"""Panel features by CRM capability, and the pairs table of ``pontes plugins``."""

from __future__ import annotations

from pontes.panels.features import available_features, pairs_table, panel_pairs
from pontes.plugins import load_plugins


def test_a_crm_lacking_a_capability_lacks_only_the_features_that_need_it():
    everything = {"contact.get", "contact.list_by_email", "contact.create",
                  "deal.list_for_client", "deal.create", "pipeline.list", "field.list",
                  "deal.get", "deal.feed", "interaction.list", "interaction.create"}
    assert "feed" in available_features(everything)
    fewer = available_features(everything - {"deal.feed", "field.list"})
    assert "feed" not in fewer and "choose_fields" not in fewer
    assert "required_fields" not in fewer and "comments" in fewer
    assert available_features({"contact.get", "contact.find_by_phone"}) == {"lookup"}
    assert available_features(set()) == frozenset()


def test_the_installed_pairs_show_what_each_crm_can_do_in_the_panel():
    pairs = {(h, c): f for h, c, f in panel_pairs(load_plugins().registry)}
    assert {"feed", "comments", "choose_fields", "lookup_all"} <= pairs[("usedesk", "amocrm")]
    ploomes = pairs[("usedesk", "ploomes")]
    assert {"lookup_all", "deals", "create_deal", "post_comment"} <= ploomes
    assert not {"feed", "comments", "choose_fields"} & ploomes
    assert all(helpdesk != "movidesk" for helpdesk, _ in pairs)  # no ticket card there
    table = pairs_table(panel_pairs(load_plugins().registry)).splitlines()
    assert "usedesk x amocrm" in table[0] and "usedesk x ploomes" in table[0]
    feed = next(line for line in table if line.startswith("a deal's feed of events"))
    amocrm_column = table[0].index("usedesk x amocrm")
    assert feed[amocrm_column:amocrm_column + len("usedesk x amocrm")].strip() == "x"
