"""The demo installation: the sandboxes, their connections and the integrations.

Seeds 000 and 001 (Movidesk, Ploomes, Jivo) are the installation the end-to-end tests
share (``demo_stack()``); ``full_demo_stack`` adds seed 003's (Usedesk and amoCRM, signed
in with OAuth, with the rule-created deals and, when the ``crm_panel`` recipe is
installed, the CRM block in the ticket card)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pontes.plugins import load_plugins
from pontes.testing.stack import Stack

from . import seed004

CONNECTIONS = {
    "movidesk": ("movidesk", {}),
    "ploomes": ("ploomes", {}),
    "jivo": ("jivo", {}),
}

SANDBOX_OPTIONS = {"movidesk": {"requests_per_minute": 600},
                   "ploomes": {"requests_per_minute": 1200}}
"""Movidesk allows 10 calls a minute and Ploomes about 120; the demo (and the end-to-end
tests built on it) play faster than a real account could."""

INTEGRATION_USER = "Movidesk"

INTEGRATIONS: dict[str, dict[str, Any]] = {
    "support-history": {
        "recipe": "ticket_history", "helpdesk": "movidesk", "crm": "ploomes",
        "options": {"create_clients": True},
    },
    "deal-ticket": {
        "recipe": "deal_to_ticket", "crm": "ploomes", "helpdesk": "movidesk",
        "options": {"integration_user": INTEGRATION_USER, "category": "Solicitação",
                    "urgency": "Média", "team": "Suporte"},
    },
    "chat-leads": {
        "recipe": "chat_to_crm", "chat": "jivo", "crm": "ploomes",
        "options": {"behaviour": "company_person_deal", "pipeline": "Funil de Vendas",
                    "stage": "Prospecção", "lead_pipeline": "Leads"},
    },
}

SEED003_CONNECTIONS = {
    "usedesk": ("usedesk", {}),
    "amocrm": ("amocrm", {"long_lived_token": None}),
}
"""amoCRM signs in with OAuth (through its sandbox's authorize page), not with a token."""

DEAL_REQUESTS = "ticket-deals"
CARD_BLOCK = "ticket-card"
PANEL_RECIPE = "crm_panel"


def seed003_integrations() -> dict[str, dict[str, Any]]:
    """Seed 003's integrations: the deals a Usedesk rule asks for and, when the panel's
    recipe is installed, the amoCRM block in the ticket card."""
    integrations: dict[str, dict[str, Any]] = {
        DEAL_REQUESTS: {"recipe": "deal_request", "helpdesk": "usedesk", "crm": "amocrm"}}
    if PANEL_RECIPE in load_plugins().registry.recipes:
        integrations[CARD_BLOCK] = {"recipe": PANEL_RECIPE, "helpdesk": "usedesk",
                                    "crm": "amocrm"}
    return integrations


FAST_RETRIES = {"PONTES_BACKOFF_BASE": "0.2", "PONTES_BACKOFF_CAP": "2", "PONTES_IDLE_INTERVAL": "0.2"}


@contextmanager
def demo_stack(workdir: Path, integrations: dict[str, dict[str, Any]] | None = None,
               server_env: dict[str, str] | None = None,
               connections: dict[str, tuple[str, dict[str, Any]]] | None = None
               ) -> Iterator[Stack]:
    """The demo installation (seeds 000 and 001 unless told otherwise), running in
    ``workdir``."""
    with Stack.running(workdir, connections=connections or CONNECTIONS,
                       integrations=integrations or INTEGRATIONS,
                       sandbox_options=SANDBOX_OPTIONS,
                       server_env={**FAST_RETRIES, **(server_env or {})}) as stack:
        yield stack


@contextmanager
def full_demo_stack(workdir: Path) -> Iterator[Stack]:
    """Every seed's installation at once, as ``pontes demo`` plays it."""
    with demo_stack(workdir, {**INTEGRATIONS, **seed003_integrations(),
                              **seed004.INTEGRATIONS},
                    connections={**CONNECTIONS, **SEED003_CONNECTIONS,
                                 **seed004.CONNECTIONS}) as stack:
        yield stack
