"""The HTML a dynamic block answers with, from what the CRM knows about the ticket's
client (a ``ClientContext``): the contact, their open deals and a link to the CRM.

Usedesk shows the HTML in its own look and supports Bootstrap's classes, which are used
here; every value is escaped.
"""

from __future__ import annotations

from html import escape

from pontes.plugin import ClientContext, Deal

MOST_DEALS = 10
"""How many deals the block lists."""


def context_html(context: ClientContext) -> str:
    """The block's HTML for ``context``."""
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
