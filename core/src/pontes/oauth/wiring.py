"""OAuth sessions given to a runtime's connections, and every connection's login status."""

from __future__ import annotations

from typing import Any

from ..store.vault import Vault
from .session import LoginStatus, OAuthSession, status_of


def uses_oauth(connection: Any) -> bool:
    """Whether ``connection``'s connector declares OAuth and its settings do not bypass it
    (with a long-lived token, say)."""
    declaration = connection.connector.oauth
    return declaration is not None and declaration.enabled(connection.settings)


def attach_oauth(runtime: Any, vault: Vault) -> None:
    """Give every connection of ``runtime`` that uses OAuth a session over ``vault``; its
    vendor client then signs its calls with the stored tokens."""
    for name, connection in runtime.connections.items():
        if uses_oauth(connection) and connection.oauth is None:
            connection.oauth = OAuthSession(name, connection.settings, connection.connector.oauth,
                                            vault, public_url=runtime.config.public_url)


def login_statuses(runtime: Any, vault: Vault) -> dict[str, LoginStatus]:
    """The login status of every connection of ``runtime`` (``not_oauth`` for those that
    sign in otherwise), read from the store in one query."""
    stored = vault.all_tokens()
    statuses = {}
    for name, connection in runtime.connections.items():
        if not uses_oauth(connection):
            statuses[name] = LoginStatus(name, "not_oauth")
            continue
        declaration = connection.connector.oauth
        seed = declaration.refresh_token_setting
        statuses[name] = status_of(name, stored.get(name),
                                   has_seed=bool(seed and getattr(connection.settings, seed,
                                                                  None)))
    return statuses
