"""The connections page's queries: each connection with its OAuth status, a credentials
check against the vendor, and its action token."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from ..errors import PontesError
from ..oauth.wiring import login_statuses
from ..server.auth import action_token
from .context import AdminContext
from .models import ActionTokenAnswer, BudgetUse, CheckAnswer, ConnectionEntry, LoginState


class UnknownConnection(LookupError):
    """No connection of that name is configured."""


async def connection_entries(admin: AdminContext) -> list[ConnectionEntry]:
    """Every configured connection, never with its secrets."""
    logins = await admin.store.run(login_statuses, admin.runtime, admin.store.vault)
    budgets = await budget_uses(admin)
    return [
        ConnectionEntry(
            name=name, plugin=c.connector.name, title=c.connector.title,
            roles=list(c.connector.roles), capabilities=sorted(c.capabilities),
            base_url=without_userinfo(c.settings.base_url),
            action_url=f"{admin.public_url}/actions/{name}/{{action}}",
            login=LoginState(state=logins[name].state, reason=logins[name].reason,
                             expires_at=logins[name].expires_at),
            budget=budgets.get(name))
        for name, c in admin.runtime.connections.items()
    ]


async def budget_uses(admin: AdminContext) -> dict[str, BudgetUse]:
    """Each rate-limited connection's budget use now (shared by every process when the
    budgets are kept in the store)."""
    uses = {}
    for name, connection in admin.runtime.connections.items():
        usage = await connection.client.budget_usage()
        if usage is not None:
            uses[name] = BudgetUse(limit=usage.limit.requests,
                                   per_seconds=usage.limit.per_seconds, used=usage.used,
                                   paused_for=round(usage.paused_for, 1))
    return uses


async def check(admin: AdminContext, name: str) -> CheckAnswer:
    """Call the vendor with the connection's credentials, as ``pontes check`` does."""
    connection = admin.runtime.connections.get(name)
    if connection is None:
        raise UnknownConnection(name)
    logins = await admin.store.run(login_statuses, admin.runtime, admin.store.vault)
    if logins[name].state == "needs_login":
        answer = CheckAnswer(connection=name, ok=False, message=logins[name].describe())
    else:
        try:
            await connection.connector.check(connection)
            answer = CheckAnswer(connection=name, ok=True, message="the credentials work")
        except PontesError as exc:
            answer = CheckAnswer(connection=name, ok=False, message=str(exc))
    admin.checks[name] = answer
    return answer


def token_of(admin: AdminContext, name: str) -> ActionTokenAnswer:
    """The token that authorises ``POST /actions/<name>/<action>``."""
    if name not in admin.runtime.connections:
        raise UnknownConnection(name)
    token = action_token(admin.key, name)
    return ActionTokenAnswer(connection=name, token=token,
                             header=f"Authorization: Bearer {token}",
                             url=f"{admin.public_url}/actions/{name}/{{action}}")


def without_userinfo(url: str | None) -> str | None:
    """``url`` without a user, password or query (where credentials may hide)."""
    if not url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit(parts._replace(netloc=netloc, query=""))
