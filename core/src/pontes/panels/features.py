"""What a CRM panel can show, feature by feature, and the CRM capabilities each needs.

A panel shows a feature only when the integration's CRM connection has what it needs,
so a CRM that cannot (say) list a deal's feed gets a panel without the feed rather
than a broken one. ``pontes plugins`` prints this for every helpdesk and CRM pair.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..tables import table_text

if TYPE_CHECKING:
    from ..registry import Registry

HELPDESK_TRIGGER = "ticket.card_opened"
"""What a helpdesk needs to show a panel: a ticket-card trigger whose reply embeds it."""


class FeatureMissing(LookupError):
    """A panel page whose feature the integration's CRM lacks."""


@dataclass(frozen=True)
class Feature:
    """One feature of the panel: it is on when the CRM has every capability in
    ``all_of`` and at least one in ``any_of`` (when ``any_of`` is given)."""

    name: str
    title: str
    all_of: tuple[str, ...] = ()
    any_of: tuple[str, ...] = ()

    def available(self, capabilities: Collection[str]) -> bool:
        """Whether a CRM with ``capabilities`` has this feature."""
        return (all(c in capabilities for c in self.all_of)
                and (not self.any_of or any(c in capabilities for c in self.any_of)))


LOOKUP_CAPABILITIES = ("contact.list_by_email", "contact.list_by_phone",
                       "contact.find_by_email", "contact.find_by_phone")

FEATURES = (
    Feature("lookup", "find contacts by e-mail and phone", ("contact.get",), LOOKUP_CAPABILITIES),
    Feature("lookup_all", "list every matching contact",
            any_of=("contact.list_by_email", "contact.list_by_phone")),
    Feature("create_contact", "create a contact", ("contact.create",)),
    Feature("deals", "a contact's deals", ("deal.list_for_client",)),
    Feature("create_deal", "create a deal", ("deal.create", "pipeline.list")),
    Feature("required_fields", "required fields and choices in forms", ("field.list",)),
    Feature("choose_fields", "choose the deal fields shown (gear)",
            ("field.list", "deal.list_for_client")),
    Feature("deal_card", "a deal's card", ("deal.get",)),
    Feature("feed", "a deal's feed of events", ("deal.get", "deal.feed")),
    Feature("comments", "a deal's comments", ("deal.get", "interaction.list")),
    Feature("post_comment", "post a comment on a deal", ("deal.get", "interaction.create")),
)
"""Every feature, in the order the panel shows them."""


def available_features(capabilities: Collection[str]) -> frozenset[str]:
    """The names of the features a CRM with ``capabilities`` has."""
    return frozenset(f.name for f in FEATURES if f.available(capabilities))


def panel_pairs(registry: Registry) -> list[tuple[str, str, frozenset[str]]]:
    """``(helpdesk, crm, features)`` for every installed helpdesk with a ticket-card
    trigger and every installed CRM."""
    roles = {name: connector.roles for name, connector in registry.connectors.items()}
    return [(helpdesk, crm, available_features(registry.capabilities(crm)))
            for helpdesk in sorted(roles) if "helpdesk" in roles[helpdesk]
            and HELPDESK_TRIGGER in registry.capabilities(helpdesk)
            for crm in sorted(roles) if "crm" in roles[crm]]


def pairs_table(pairs: list[tuple[str, str, frozenset[str]]]) -> str:
    """A table: one row per panel feature, one column per helpdesk x CRM pair."""
    if not pairs:
        return "(no helpdesk with a ticket card, or no CRM, is installed)"
    return table_text(["PANEL FEATURE", *(f"{helpdesk} x {crm}" for helpdesk, crm, _ in pairs)],
                      [[feature.title, *("x" if feature.name in features else ""
                                         for _helpdesk, _crm, features in pairs)]
                       for feature in FEATURES])
