"""The demo installation: three sandboxes, their connections and three integrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pontes.testing.stack import Stack

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

FAST_RETRIES = {"PONTES_BACKOFF_BASE": "0.2", "PONTES_BACKOFF_CAP": "2", "PONTES_IDLE_INTERVAL": "0.2"}


@contextmanager
def demo_stack(workdir: Path, integrations: dict[str, dict[str, Any]] | None = None,
               server_env: dict[str, str] | None = None) -> Iterator[Stack]:
    """The demo installation, running in ``workdir``."""
    with Stack.running(workdir, connections=CONNECTIONS,
                       integrations=integrations or INTEGRATIONS,
                       sandbox_options=SANDBOX_OPTIONS,
                       server_env={**FAST_RETRIES, **(server_env or {})}) as stack:
        yield stack
