"""The HTML a dynamic block answers with, from what the CRM knows about the ticket's
client (a ``ClientContext``): the contact, their open deals and a link to the CRM, or,
when the recipe serves a panel, a frame of the panel's page.

Usedesk shows the HTML in its own look and supports Bootstrap's classes, which are used
here; every value is escaped. Whether Usedesk runs scripts in a block's HTML is not
documented, so a panel comes as an ``<iframe>``, which works either way.
"""

from __future__ import annotations

from html import escape

from pontes.plugin import ClientContext, Deal

MOST_DEALS = 10
"""How many deals the block lists."""

PANEL_HEIGHT = 560
"""The height of a panel's frame, in pixels (the page inside scrolls beyond it)."""


def panel_frame(url: str) -> str:
    """A frame of the panel page at ``url``, as wide as the block."""
    return (f'<iframe class="pontes-panel" src="{escape(url)}" title="CRM" '
            f'style="width:100%;height:{PANEL_HEIGHT}px;border:0" '
            'referrerpolicy="no-referrer"></iframe>')


def context_html(context: ClientContext) -> str:
    """The block's HTML for ``context``: the panel's frame when there is a panel."""
    if context.panel_url:
        return panel_frame(context.panel_url)
    parts = ['<div class="pontes-crm">']
    contact = context.contact
    if contact is None:
        parts.append('<p class="text-muted">No contact found in the CRM.</p>')
    else:
        lines = [f"<strong>{escape(contact.display_name() or 'Contact')}</strong>"]
        lines += [escape(value) for value in [*contact.emails, *contact.phones]]
        if context.company is not None and context.company.name:
            lines.append(escape(context.company.name))
        parts.append(f"<p>{'<br>'.join(lines)}</p>")
    if context.deals:
        parts.append('<ul class="list-unstyled">')
        parts += [f"<li>{deal_line(deal)}</li>" for deal in context.deals[:MOST_DEALS]]
        parts.append("</ul>")
    elif contact is not None:
        parts.append('<p class="text-muted">No deals.</p>')
    if context.url:
        parts.append(f'<a class="btn btn-sm btn-default" href="{escape(context.url)}" '
                     'target="_blank" rel="noopener">Open in CRM</a>')
    parts.append("</div>")
    return "".join(parts)


def deal_line(deal: Deal) -> str:
    """One deal as escaped HTML: its title, stage, amount and status."""
    details = [deal.stage or deal.pipeline]
    if deal.amount is not None:
        details.append(" ".join(filter(None, [f"{deal.amount:.2f}", deal.currency])))
    if deal.status.value != "open":
        details.append(deal.status.value)
    shown = " · ".join(escape(d) for d in details if d)
    title = f"<strong>{escape(deal.title or 'Deal')}</strong>"
    return f"{title} <span class=\"text-muted\">{shown}</span>" if shown else title
