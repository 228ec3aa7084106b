"""Who may open a Tickets tab, and what a tab page is about.

A CRM embeds the tab at an address into which it writes the record
(``/tabs/<integration>/<key>?module=<module>&id=<record id>``). ``key`` is derived from
the integration's webhook tokens, so only the CRM's set-up knows it, and new tokens
retire it. There are two kinds of address:

- the **shared** address, one per integration: it proves nothing about who opened it,
  so a ``user`` written into it only says whom the page is for; its pages are
  read-only, unless the operator chose a ``default_user`` the shared address acts for;
- a **personal** address per mapped CRM user (``?user=<user>&module=...``), whose key
  is derived for that user alone: the address names the user and proves it, so its
  pages may create and answer tickets as that user's helpdesk agent.

The tab then signs a context (the record, the user and whether the address proved the
user) that every page and button carries back, as the ticket-card panel does.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict

from ...keys import derive_token, tokens_equal
from ...recipes import Integration
from ..signed import open_for, sign_for, signing_key

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


class InvalidAddress(PermissionError):
    """A tab address whose key is neither the integration's shared key nor the personal
    key of the user it names."""


class TabContext(BaseModel):
    """What a tab page is about: the integration, the kind and CRM id of the record, the
    CRM user it is for (when known), whether the address proved that user (``proven``:
    a personal address) and the page's language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    integration: str
    kind: str
    record: str
    user: str | None = None
    proven: bool = False
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


def user_key(integration: Integration, user: str) -> str:
    """The key in ``user``'s personal tab address."""
    return derive_token(signing_key(integration), f"pontes:tickets-tab:user:{user}")


def address_proves_user(integration: Integration, key: str, user: str | None) -> bool:
    """Whether the address with ``key`` and ``user`` is ``user``'s personal address
    (``True``) or the shared one (``False``); ``InvalidAddress`` when it is neither,
    such as a personal key with another user's name, or of another integration."""
    if user and tokens_equal(key, user_key(integration, user)):
        return True
    if key_is_valid(integration, key):
        return False
    raise InvalidAddress("This tab address is not valid for this integration.")


def tab_address(integration: Integration, template: bool = True) -> str:
    """The shared address a CRM embeds: with ``{module}`` and ``{id}`` for the CRM to
    fill when ``template``."""
    base = f"{integration.public_url}/tabs/{integration.name}/{tab_key(integration)}"
    return base + ("?module={module}&id={id}" if template else "")


def personal_address(integration: Integration, user: str) -> str:
    """``user``'s personal address, with ``{module}`` and ``{id}`` for the CRM to fill."""
    base = f"{integration.public_url}/tabs/{integration.name}/{user_key(integration, user)}"
    return f"{base}?{urlencode({'user': user})}&module={{module}}&id={{id}}"


def personal_addresses(integration: Integration) -> dict[str, str]:
    """Mapped CRM user -> their personal address, for every user in the ``agents``
    option."""
    return {user: personal_address(integration, user)
            for user in sorted(integration.options.agents)}


def tab_integrations(integrations: Iterable[Integration]) -> list[Integration]:
    """The ``tickets_tab`` integrations among ``integrations``."""
    return [i for i in integrations if i.recipe.name == "tickets_tab"]


def tab_addresses(integrations: Iterable[Integration]) -> dict[str, str]:
    """Integration name -> the shared tab address to embed, for every ``tickets_tab``
    integration (what ``pontes hooks`` prints)."""
    return {i.name: tab_address(i) for i in tab_integrations(integrations)}


def user_addresses(integrations: Iterable[Integration]) -> dict[str, dict[str, str]]:
    """Integration name -> each mapped CRM user's personal address, for every
    ``tickets_tab`` integration (what ``pontes hooks`` prints)."""
    return {i.name: personal_addresses(i) for i in tab_integrations(integrations)}


def sign_tab(integration: Integration, context: TabContext) -> str:
    """The signed token of ``context``."""
    return sign_for(integration, PURPOSE, context, LIFETIME)


def open_tab(integration: Integration, token: str) -> TabContext:
    """The context of a token ``sign_tab`` made; ``BadSignature`` when forged, expired or
    made for another integration."""
    return open_for(integration, PURPOSE, token, TabContext, "tab")
