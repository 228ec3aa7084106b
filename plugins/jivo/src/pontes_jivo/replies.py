"""The answer to ``chat_accepted`` and ``chat_updated`` that Jivo shows to the agent.

Jivo reads these fields from the reply, and shows nothing at all unless ``result`` is
exactly ``"ok"``:

- ``custom_data``: lines in the agent's visit panel, each ``{title, content}`` like the
  widget's ``setCustomData``, whose entries may also carry a ``link`` that makes the
  line clickable;
- ``crm_link``: the URL behind the panel's "Open in CRM" button;
- ``enable_assign``: whether to show the "link to CRM card" button;
- ``contact_info``: ``{name, phone?, email?}`` shown to the agent *as if the visitor had
  typed it*, and saved in the chat log; send it only when the CRM is trusted to be right.

``agent_panel_reply`` builds that body from canonical data, typically the client's open
deals and the URL of their CRM record. The trigger's own acknowledgement stays
``{"result": "ok"}``; a server that answers ``chat_accepted`` synchronously uses this
instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from pontes.plugin import Contact, Deal, DealStatus

DEFAULT_DEAL_LINES = 10
"""How many deals are listed at most, so the agent's panel stays readable."""


def agent_panel_reply(*, deals: Iterable[Deal] = (), crm_link: str | None = None,
                      deal_link: Callable[[Deal], str | None] | None = None,
                      contact_info: Contact | None = None, enable_assign: bool | None = None,
                      limit: int = DEFAULT_DEAL_LINES) -> dict[str, Any]:
    """The reply body that shows ``deals`` and a link to the CRM record to the agent.

    - ``deals``: one ``custom_data`` line each (title, then stage, status and amount);
      only the first ``limit`` are listed;
    - ``deal_link(deal)``: the URL of a deal in the CRM, put in its line's ``link``;
    - ``crm_link``: the client's CRM record (the "Open in CRM" button);
    - ``contact_info``: the contact whose name, first phone and first e-mail Jivo shows as
      typed by the visitor; left out when it has no name (Jivo requires one);
    - ``enable_assign``: written only when given.

    >>> agent_panel_reply(deals=[Deal(title="Plano Pro", stage="Proposta")],
    ...                   crm_link="https://crm.example/contacts/7")["custom_data"]
    [{'title': 'Plano Pro', 'content': 'Proposta'}]
    """
    if limit < 0:
        raise ValueError(f"limit must be zero or more, got {limit}")
    reply: dict[str, Any] = {"result": "ok"}
    lines = [_deal_line(deal, deal_link) for deal in list(deals)[:limit]]
    if lines:
        reply["custom_data"] = lines
    if crm_link:
        reply["crm_link"] = crm_link
    if enable_assign is not None:
        reply["enable_assign"] = enable_assign
    info = _contact_info(contact_info) if contact_info is not None else None
    if info:
        reply["contact_info"] = info
    return reply


def _deal_line(deal: Deal, deal_link: Callable[[Deal], str | None] | None) -> dict[str, str]:
    parts = [deal.stage or deal.pipeline]
    if deal.status != DealStatus.open:
        parts.append(deal.status.value)
    if deal.amount is not None:
        parts.append(f"{deal.amount:.2f} {deal.currency or ''}".strip())
    line = {
        "title": deal.title or "Deal",
        "content": " · ".join(p for p in parts if p) or deal.status.value,
    }
    link = deal_link(deal) if deal_link else None
    if link:
        line["link"] = link
    return line


def _contact_info(contact: Contact) -> dict[str, str] | None:
    name = contact.display_name()
    if not name:
        return None
    info = {"name": name}
    if contact.phones:
        info["phone"] = contact.phones[0]
    if contact.email:
        info["email"] = contact.email
    return info
