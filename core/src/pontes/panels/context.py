"""The signed context of a panel: which integration, helpdesk ticket and client a panel
page is about.

A helpdesk's ticket card gets a panel URL with the context in it (``ctx``), signed and
expiring (``pontes.web.signing``). Every page and button of the panel carries it back,
so none can be replayed against another ticket, client or integration, and nothing the
browser sends can change it. The signing key is derived from the integration's webhook
tokens, so the context is good for that integration alone, and changing its tokens
retires every panel URL handed out.
"""

from __future__ import annotations

from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field

from ..recipes import Integration
from .signed import PARAMETER, open_for, sign_for

PURPOSE = "panel-context"
LIFETIME = 12 * 3600.0
"""How long a panel URL works: an agent's working day with the ticket left open."""


class PanelContext(BaseModel):
    """What a panel is about: the integration, the helpdesk ticket and its client (their
    helpdesk id, name, e-mails and phones in E.164) and the language of the page."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    integration: str
    ticket: str
    client: str | None = None
    name: str | None = None
    emails: tuple[str, ...] = Field(default_factory=tuple)
    phones: tuple[str, ...] = Field(default_factory=tuple)
    language: str = "en"


def sign_context(integration: Integration, context: PanelContext, *,
                 now: float | None = None) -> str:
    """The signed token of ``context``."""
    return sign_for(integration, PURPOSE, context, LIFETIME, now=now)


def open_context(integration: Integration, token: str, *,
                 now: float | None = None) -> PanelContext:
    """The context of a token ``sign_context`` made for ``integration``; ``BadSignature``
    when it is forged, expired or made for another integration."""
    return open_for(integration, PURPOSE, token, PanelContext, "panel", now=now)


def panel_url(integration: Integration, context: PanelContext, path: str = "") -> str:
    """The absolute URL of the panel page ``path`` for ``context``."""
    query = urlencode({PARAMETER: sign_context(integration, context)})
    return f"{integration.public_url}/panels/{integration.name}{path}?{query}"
