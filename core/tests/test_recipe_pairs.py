"""Recipe pairs: every recipe with every assignment of installed connectors to its roles,
as ``pontes recipes --pairs`` prints it and ``docs/pairs.md`` publishes it."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from pontes.cli import main
from pontes.plugins import load_plugins
from pontes.recipes import Recipe, RoleSpec
from pontes.recipes.pairs import all_pairs, pairs_markdown, recipe_pairs, role_gaps

PAIRS_PAGE = Path(__file__).resolve().parents[2] / "docs" / "pairs.md"


async def _nothing(ctx, event):
    return "nothing"


COPY = Recipe(name="copy", description="copies", handle=_nothing, roles={
    "helpdesk": RoleSpec(triggers=("ticket.created", "ticket.changed")),
    "crm": RoleSpec(requires=("contact.find_by_email", "interaction.create")),
})


def test_a_role_lacks_each_required_action_and_one_of_its_events():
    spec = COPY.roles["crm"]
    assert role_gaps(spec, {"contact.find_by_email", "interaction.create"}) == []
    assert role_gaps(spec, {"interaction.create"}) == ["contact.find_by_email"]
    assert role_gaps(COPY.roles["helpdesk"], {"ticket.changed"}) == []
    assert role_gaps(COPY.roles["helpdesk"], set()) == [
        "one of ticket.created, ticket.changed"]


def test_every_assignment_of_connectors_that_declare_each_role_is_listed():
    roles = {"desk": ("helpdesk",), "mute": ("helpdesk",), "sales": ("crm",),
             "blind": ("crm",)}
    capabilities = {"desk": {"ticket.changed"}, "mute": set(),
                    "sales": {"contact.find_by_email", "interaction.create"},
                    "blind": {"interaction.create"}}
    pairs = {tuple(p.roles.values()): p for p in recipe_pairs(COPY, roles, capabilities)}

    assert set(pairs) == {("desk", "sales"), ("desk", "blind"), ("mute", "sales"),
                          ("mute", "blind")}
    assert pairs["desk", "sales"].supported
    assert [str(m) for m in pairs["desk", "blind"].missing] == [
        "blind (crm) lacks contact.find_by_email"]
    assert len(pairs["mute", "blind"].missing) == 2


def test_the_command_lists_each_installed_pair_with_what_is_missing(capsys):
    code = main(["recipes", "--pairs", "--json"])
    pairs = json.loads(capsys.readouterr().out)
    by_key = {(p["recipe"], *p["roles"].values()): p for p in pairs}

    assert code == 0
    assert by_key["ticket_history", "movidesk", "ploomes"]["supported"] is True
    panel = by_key["crm_panel", "movidesk", "ploomes"]
    assert panel["supported"] is False
    assert panel["missing"] == [{"role": "helpdesk", "connector": "movidesk",
                                 "capability": "ticket.card_opened"}]
    registry = load_plugins().registry
    assert {p["recipe"] for p in pairs} == set(registry.recipes)


def test_the_command_prints_a_table_naming_the_missing_capability(capsys):
    assert main(["recipes", "--pairs"]) == 0
    out = capsys.readouterr().out
    assert "movidesk (helpdesk) lacks ticket.card_opened" in out


def test_the_published_pairs_page_is_up_to_date():
    expected = pairs_markdown(all_pairs(load_plugins().registry))
    assert PAIRS_PAGE.read_text() == expected, (
        "docs/pairs.md is stale: run `pontes recipes --pairs --markdown > docs/pairs.md`")


def test_check_names_the_capability_and_connection_of_an_unsupported_pair(tmp_path, capsys):
    config = tmp_path / "pontes.yaml"
    config.write_text(yaml.safe_dump({
        "connections": {
            "desk": {"plugin": "movidesk", "token": "t", "base_url": "http://127.0.0.1:9"},
            "sales": {"plugin": "ploomes", "user_key": "k", "base_url": "http://127.0.0.1:9"}},
        "integrations": {"panel": {"recipe": "crm_panel", "helpdesk": "desk",
                                   "crm": "sales"}}}))
    (tmp_path / ".pontes-secret-key").write_text("pairs-test-key")

    code = main(["check", "--config", str(config)])
    err = capsys.readouterr().err

    assert code != 0
    assert "integrations.panel.helpdesk" in err
    assert "'desk' (Movidesk)" in err and "ticket.card_opened" in err


def test_a_helpdesk_whose_rules_cannot_post_a_request_is_no_deal_request_helpdesk():
    pairs = {(p.recipe, *p.roles.values()): p for p in all_pairs(load_plugins().registry)}

    assert pairs["deal_request", "usedesk", "amocrm"].supported
    for helpdesk in ("movidesk", "zohodesk"):
        assert [str(m) for m in pairs["deal_request", helpdesk, "amocrm"].missing] == [
            f"{helpdesk} (helpdesk) lacks request.posted"]


def test_check_refuses_deal_requests_from_a_helpdesk_without_request_rules(tmp_path, capsys):
    config = tmp_path / "pontes.yaml"
    config.write_text(yaml.safe_dump({
        "connections": {
            "desk": {"plugin": "movidesk", "token": "t", "base_url": "http://127.0.0.1:9"},
            "sales": {"plugin": "ploomes", "user_key": "k", "base_url": "http://127.0.0.1:9"}},
        "integrations": {"deals": {"recipe": "deal_request", "helpdesk": "desk",
                                   "crm": "sales"}}}))
    (tmp_path / ".pontes-secret-key").write_text("pairs-test-key")

    code = main(["check", "--config", str(config)])
    err = capsys.readouterr().err

    assert code != 0
    assert "integrations.deals.helpdesk" in err
    assert "'desk' (Movidesk)" in err and "request.posted" in err
