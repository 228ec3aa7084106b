"""docs/mapping.md stays true: its examples compile, its tables match the code."""

import re
from pathlib import Path

import pytest
import yaml
from pontes.errors import ConfigError
from pontes.mapping import compile_mapping
from pontes.models import Contact, Deal, Ticket
from pontes.plugins import load_plugins

DOC = Path(__file__).parents[2] / "docs" / "mapping.md"
TEXT = DOC.read_text()


@pytest.fixture(scope="module")
def registry():
    return load_plugins(enabled=[]).registry


def yaml_blocks():
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", TEXT, re.S)]


def config_examples():
    return [block for block in yaml_blocks() if "integrations" in block]


def section(heading: str) -> str:
    match = re.search(rf"^### {re.escape(heading)}\n(.*?)(?=^##)", TEXT, re.S | re.M)
    assert match, f"docs/mapping.md lacks '### {heading}'"
    return match.group(1)


def test_the_slot_table_matches_the_recipes(registry):
    rows = re.findall(r"^\| `(\w+)` \| `(\w+)` \| (\w+) \| (\w+) \|$", TEXT, re.M)
    documented = {(recipe, slot): (source, target) for recipe, slot, source, target in rows}
    actual = {(recipe.name, slot): (spec.source.__name__, spec.target.__name__)
              for recipe in registry.recipes.values() for slot, spec in recipe.mappings.items()}
    assert documented == actual


def test_there_are_examples_for_the_seeds():
    recipes = {entry["recipe"] for block in config_examples()
               for entry in block["integrations"].values()}
    assert {"ticket_history", "deal_to_ticket", "chat_to_crm"} <= recipes


def test_every_configuration_example_compiles(registry):
    for block in config_examples():
        for name, entry in block["integrations"].items():
            recipe = registry.recipes[entry["recipe"]]
            if recipe.options is not None:
                recipe.options.model_validate(entry.get("options") or {})
            for slot, spec in entry["mapping"].items():
                spec_of_slot = recipe.mappings[slot]
                compiled = compile_mapping(spec, source_model=spec_of_slot.source,
                                           target_model=spec_of_slot.target,
                                           transforms=registry.transforms,
                                           where=f"integrations.{name}.mapping.{slot}")
                assert compiled.targets == list(spec)


def test_every_built_in_transform_is_documented_with_its_options(registry):
    headings = re.findall(r"^### (.+)$", TEXT, re.M)
    documented = {name.strip() for heading in headings for name in heading.split(",")}
    builtin = {name for name, t in registry.transforms.items()
               if type(t).__module__ == "pontes.mapping.transforms"}
    assert builtin <= documented
    for name in builtin:
        heading = next(h for h in headings if name in {n.strip() for n in h.split(",")})
        text = section(heading)
        for option in registry.transforms[name].options.model_fields:
            shared = re.search(r"(?i)options? (?:`\w+` )?as `(\w+)`", text)
            if f"`{option}`" not in text:
                assert shared, f"option {option!r} of {name!r} is not documented"
                assert f"`{option}`" in section(shared.group(1)), (name, option)


BROKEN = [
    ("deal-tickets", "ticket_to_deal", Ticket, Deal,
     {"amount": {"from": "custom.5003", "transform": "br_decimals"}}),
    ("support-history", "contact", Contact, Contact,
     {"phones": {"from": "phones", "transform": "phone_e164", "regiao": "BR"}}),
    ("deal-tickets", "ticket_to_deal", Ticket, Deal, {"titel": "subject"}),
    ("deal-tickets", "ticket_to_deal", Ticket, Deal,
     {"status": {"from": "remote_data.baseStatus", "transform": "status",
                 "values": {"Resolved": "ganho"}}}),
]


@pytest.mark.parametrize(("integration", "slot", "source", "target", "spec"), BROKEN)
def test_the_error_messages_shown_are_the_real_ones(registry, integration, slot, source,
                                                    target, spec):
    with pytest.raises(ConfigError) as caught:
        compile_mapping(spec, source_model=source, target_model=target,
                        transforms=registry.transforms,
                        where=f"pontes.yaml: integrations.{integration}.mapping.{slot}")
    assert f"\n{caught.value}\n" in TEXT
