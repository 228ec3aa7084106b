"""Who may open a Tickets tab, and what a tab page is about.

A CRM embeds the tab at one address per integration, into which it writes the record
(``/tabs/<integration>/<key>?module=<module>&id=<record id>``, with ``user`` where the
CRM can name who opened it). ``key`` is derived from the integration's webhook tokens,
so only the CRM's set-up knows it, and new tokens retire it. The tab then signs a
context (the record and the user) that every page and button carries back, as the
ticket-card panel does.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from ...keys import derive_token, tokens_equal
from ...recipes import Integration
from ...web.signing import BadSignature, sign, unsign
from ..context import signing_key

PURPOSE = "tickets-tab"
LIFETIME = 12 * 3600.0
"""How long a tab's pages work after it was opened."""

KINDS = {"contacts": "contact", "contact": "contact", "companies": "company",
         "company": "company", "accounts": "company", "deals": "deal", "deal": "deal",
         "pipelines": "deal", "leads": "deal"}
"""A CRM's module name (Bigin's ``Contacts``, ``Accounts``, ``Pipelines``...), lower
cased -> the kind of record."""


class UnknownModule(ValueError):
    """A tab address naming a module that is not contacts, companies or deals."""


class TabContext(BaseModel):
    """What a tab page is about: the integration, the kind and CRM id of the record, the
    CRM user who opened it (when known) and the page's language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    integration: str
    kind: str
    record: str
    user: str | None = None
    language: str = "en"


def record_kind(module: str) -> str:
    """The kind of record (``contact``, ``company``, ``deal``) a CRM module names."""
    kind = KINDS.get(module.strip().lower())
    if kind is None:
        raise UnknownModule(f"The tab shows contacts, companies and deals, not {module!r}")
    return kind


def tab_key(integration: Integration) -> str:
    """The key in the integration's tab address."""
    return derive_token(signing_key(integration), "pontes:tickets-tab:address")


def key_is_valid(integration: Integration, key: str) -> bool:
    """Whether ``key`` is the integration's tab key (compared in constant time)."""
    return tokens_equal(key, tab_key(integration))


def tab_address(integration: Integration, template: bool = True) -> str:
    """The address a CRM embeds: with ``{module}``, ``{id}`` and ``{user}`` for the CRM
    to fill when ``template``."""
    base = f"{integration.public_url}/tabs/{integration.name}/{tab_key(integration)}"
    return base + ("?module={module}&id={id}" if template else "")


def tab_addresses(integrations: Iterable[Integration]) -> dict[str, str]:
    """Integration name -> the tab address to embed, for every ``tickets_tab``
    integration (what ``pontes hooks`` prints)."""
    return {i.name: tab_address(i) for i in integrations if i.recipe.name == "tickets_tab"}


def sign_tab(integration: Integration, context: TabContext) -> str:
    """The signed token of ``context``."""
    return sign(signing_key(integration), PURPOSE, context.model_dump(exclude_defaults=True),
                lifetime=LIFETIME)


def open_tab(integration: Integration, token: str) -> TabContext:
    """The context of a token ``sign_tab`` made; ``BadSignature`` when forged, expired or
    made for another integration."""
    data = unsign(signing_key(integration), PURPOSE, token)
    try:
        context = TabContext.model_validate(data)
    except ValueError:
        raise BadSignature("the tab context is malformed") from None
    if context.integration != integration.name:
        raise BadSignature("the tab context was made for another integration")
    return context
