"""Who the Tickets tab acts for, and whether the helpdesk lets that agent act.

Before any write (a new ticket, a reply, a reply to all, a forward, a status), the tab
needs a CRM user it can trust: the one a personal address proves, or the operator's
``default_user``, for whom the shared address acts. A ``user`` written into the shared
address only says whom the page is for and never allows a write.

That user's helpdesk agent (the ``agents`` option) is then checked with the helpdesk,
where its plugin can tell (``agent.permissions``): the agent must exist, be active and
have the permission for the write. Where the plugin cannot tell, the helpdesk's own
answer to the write decides (a 403 is said as a missing permission).
"""

from __future__ import annotations

from collections.abc import Callable

from ...connection import Connection
from ...errors import NotFoundError
from .context import TabContext

NOT_PROVEN = ("This tab was opened at the shared address, which does not prove who you are, "
              "so it only shows the tickets. To create or answer them, open it at your "
              "personal tab address: ask the operator for it.")
AGENT_MISSING = ("The %(helpdesk)s agent you work as (%(agent)s) does not exist in "
                 "%(helpdesk)s. Ask the operator to map your user to an agent that does.")
AGENT_INACTIVE = ("The %(helpdesk)s agent you work as (%(agent)s) is deactivated in "
                  "%(helpdesk)s, so nothing was sent. Ask a %(helpdesk)s administrator to "
                  "activate them.")
AGENT_NOT_ALLOWED = ("The %(helpdesk)s agent you work as (%(agent)s) has no permission to "
                     "%(action)s in %(helpdesk)s, so nothing was sent. Ask a %(helpdesk)s "
                     "administrator for it.")
ACTION_WORDS = {"ticket.create": "create tickets", "ticket.reply": "reply to tickets",
                "ticket.reply_all": "reply to tickets", "ticket.forward": "forward tickets",
                "ticket.set_status": "change the status of tickets"}
"""How a refusal names each write the tab makes."""

MESSAGES = (NOT_PROVEN, AGENT_MISSING, AGENT_INACTIVE, AGENT_NOT_ALLOWED,
            *ACTION_WORDS.values())
"""Every message of this module, for the catalogs of the other languages."""


class NotProven(PermissionError):
    """The tab was opened at the shared address, which does not prove who opened it, and
    the operator chose no ``default_user``."""


class AgentRefused(PermissionError):
    """The helpdesk says the mapped agent may not do what was asked: missing, inactive
    or without the permission."""


def acting_user(context: TabContext, default_user: str | None) -> str | None:
    """The CRM user the tab acts for: the one a personal address proved, else
    ``default_user`` (for whom the shared address acts), else nobody."""
    return context.user if context.proven else default_user


def shown_read_only(context: TabContext, default_user: str | None) -> bool:
    """Whether the page names a user that the shared address could not prove (its
    pages then only show the tickets)."""
    return context.user is not None and acting_user(context, default_user) is None


async def allowed_agent(helpdesk: Connection, agent: str, action: str,
                        say: Callable[..., str]) -> str:
    """``agent``, once ``helpdesk`` has said that the agent exists, is active and may do
    ``action`` (one of ``ACTION_WORDS``); ``AgentRefused``, with its reason put in words
    by ``say``, otherwise. Without ``agent.permissions`` the helpdesk's answer to the
    write itself decides."""
    if not helpdesk.has("agent.permissions"):
        return agent
    try:
        permissions = await helpdesk.call("agent.permissions", id=agent)
    except NotFoundError:
        raise AgentRefused(say(AGENT_MISSING, agent=agent)) from None
    named = permissions.name or agent
    if not permissions.active:
        raise AgentRefused(say(AGENT_INACTIVE, agent=named))
    if permissions.allowed is not None and action not in permissions.allowed:
        raise AgentRefused(say(AGENT_NOT_ALLOWED, agent=named,
                               action=say(ACTION_WORDS[action])))
    return agent
