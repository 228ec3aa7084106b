"""The Tickets tab's pages: ``/tabs/<integration>...``.

- ``GET  /tabs/<i>/<key>?module=&id=[&user=&language=]``: the address a CRM embeds; the
  record's tickets, with a signed context for every later page;
- ``GET  /tabs/<i>/tickets?ctx=``: the record's tickets again;
- ``GET|POST /tabs/<i>/tickets/new``: "+ Ticket", with what the helpdesk requires;
- ``GET  /tabs/<i>/tickets/<id>``: one ticket with its threads and its actions;
- ``POST /tabs/<i>/tickets/<id>/reply`` (``mode`` ``reply`` or ``reply_all``),
  ``/forward`` and ``/status``;
- ``POST /tabs/<i>/<key>/session``: a CRM widget proving its user asks for the tab
  (``widget``).

Creating, answering and moving a ticket needs a CRM user the address proves (a personal
address, or the operator's ``default_user`` at the shared one) mapped to a helpdesk agent
(the options' ``agents``) whom the helpdesk lets do it (``acting``); what the helpdesk
cannot do is not offered.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...errors import PermanentFailure, VendorValidationError
from ...markers import TOKEN_PREFIX
from ...models import Message, Ticket, TicketStatus
from ...web.i18n import choose_language
from ..features import FeatureMissing
from . import messages
from .context import InvalidAddress, TabContext, address_proves_user, sign_tab
from .forms import ForwardForm, ReplyForm, TicketForm, ticket_fields
from .session import (
    BadRecordAddress,
    Tab,
    TabNotFound,
    addressed_record,
    guarded,
    make_tab,
    plain_error,
    tab_integration,
    tab_page,
)
from .widget import widget_routes


def _after_post(tab: Tab, path: str = "", **params: str) -> Response:
    return RedirectResponse(tab.link(path, **params), status_code=303)


def _require(tab: Tab, feature: str) -> None:
    """``FeatureMissing`` naming ``feature`` when the helpdesk cannot do it."""
    if feature not in tab.tickets.features:
        raise FeatureMissing(feature)


async def tickets(tab: Tab) -> Response:
    """The record's tickets."""
    found = await tab.tickets.tickets()
    return tab.render("tabs/tickets.html", tickets=found, done=tab.request.query_params.get("done"))


async def entry(request: Request) -> Response:
    """The address the CRM embeds: checks its key, signs the context, shows the tickets."""
    try:
        integration = tab_integration(request)
    except TabNotFound:
        return plain_error(request, 404, messages.NO_TAB)
    query = request.query_params
    user = (query.get("user") or "").strip() or None
    try:
        proven = address_proves_user(integration, request.path_params["key"], user)
    except InvalidAddress:
        return plain_error(request, 403, messages.BAD_KEY)
    try:
        kind, record = addressed_record(request)
    except BadRecordAddress as exc:
        return plain_error(request, 400, exc.message, **exc.values)
    context = TabContext(integration=integration.name, kind=kind, record=record, user=user,
                         proven=proven, language=choose_language(query.get("language")))
    token = sign_tab(integration, context)
    return await guarded(make_tab(request, integration, context, token), tickets)


async def ticket(tab: Tab) -> Response:
    """One ticket with its threads, and its actions."""
    _require(tab, "open")
    found = await tab.tickets.ticket(tab.request.path_params["ticket"])
    return tab.render("tabs/ticket.html", ticket=found, ticket_id=tab.request.path_params[
        "ticket"], statuses=list(TicketStatus), done=tab.request.query_params.get("done"),
        messages=_thread(found))


MARKER = re.compile(re.escape(TOKEN_PREFIX) + r"[0-9a-f]{8}-[0-9a-f-]{27}")
"""The marker pontes writes into what it creates (``pontes.markers``): not for people."""


def _thread(ticket: Ticket) -> list[Message]:
    """The ticket's messages, oldest first, without pontes' markers."""
    shown = [m.model_copy(update={"text": MARKER.sub("", m.text).strip()}) if m.text else m
             for m in ticket.messages]
    return sorted(shown, key=lambda m: m.sent_at.isoformat() if m.sent_at else "")


async def new_ticket(tab: Tab) -> Response:
    """"+ Ticket": the form, and its post."""
    _require(tab, "create")
    await tab.allowed_agent("ticket.create")
    requester = await tab.tickets.requester()
    fields = await ticket_fields(tab.tickets.helpdesk)
    form = TicketForm.prefilled(requester, fields, tab.context.language)
    if tab.request.method == "POST":
        form = TicketForm.posted(await tab.form(), fields, tab.context.language)
        if form.valid():
            try:
                made = await tab.tickets.helpdesk.call("ticket.create", form.draft(requester))
            except (VendorValidationError, PermanentFailure) as exc:  # refused as drafted
                form.error = tab.say(messages.TICKET_REFUSED, reason=tab.said(exc))
            else:
                return _after_post(tab, f"/{made.ref(tab.tickets.helpdesk.name)}",
                                   done="created")
        return tab.render("tabs/new_ticket.html", form=form, status_code=422)
    return tab.render("tabs/new_ticket.html", form=form)


async def reply(tab: Tab) -> Response:
    """Reply to the sender only, or to everyone on the ticket (``mode=reply_all``)."""
    posted = await tab.form()
    mode = "reply_all" if posted.get("mode") == "reply_all" else "reply"
    _require(tab, mode)
    agent = await tab.allowed_agent(f"ticket.{mode}")
    ticket_id = tab.request.path_params["ticket"]
    await tab.tickets.ticket(ticket_id)
    form = ReplyForm.posted(posted)
    if not form.valid():
        return await _ticket_again(tab, ticket_id, form.error)
    named = {"agent": agent} if mode == "reply" else {}
    await tab.tickets.helpdesk.call(f"ticket.{mode}", id=ticket_id, text=form.text, **named)
    return _after_post(tab, f"/{ticket_id}", done=mode)


async def forward(tab: Tab) -> Response:
    """Forward the ticket to an address."""
    posted = await tab.form()
    _require(tab, "forward")
    await tab.allowed_agent("ticket.forward")
    ticket_id = tab.request.path_params["ticket"]
    await tab.tickets.ticket(ticket_id)
    form = ForwardForm.posted(posted)
    if not form.valid():
        return await _ticket_again(tab, ticket_id, form.error)
    text = form.text or f"Forwarded from {tab.tickets.crm.connector.title}."
    await tab.tickets.helpdesk.call("ticket.forward", id=ticket_id, to=[form.to], text=text)
    return _after_post(tab, f"/{ticket_id}", done="forward")


async def status(tab: Tab) -> Response:
    """Move the ticket to the status chosen in the dropdown."""
    posted = await tab.form()
    _require(tab, "status")
    agent = await tab.allowed_agent("ticket.set_status")
    ticket_id = tab.request.path_params["ticket"]
    await tab.tickets.ticket(ticket_id)
    try:
        chosen = TicketStatus(str(posted.get("status") or ""))
    except ValueError:
        return await _ticket_again(tab, ticket_id, messages.CHOOSE_STATUS)
    await tab.tickets.helpdesk.call("ticket.set_status", id=ticket_id, status=chosen,
                                    agent=agent)
    return _after_post(tab, f"/{ticket_id}", done="status")


async def _ticket_again(tab: Tab, ticket_id: str, error: str) -> Response:
    """The ticket's page again, saying ``error`` (one of ``messages``)."""
    found = await tab.tickets.ticket(ticket_id)
    return tab.render("tabs/ticket.html", ticket=found, ticket_id=ticket_id,
                      statuses=list(TicketStatus), messages=_thread(found),
                      error=tab.say(error),
                      status_code=422)


routes = [
    Route("/tabs/{integration}/tickets", tab_page(tickets), methods=["GET"]),
    Route("/tabs/{integration}/tickets/new", tab_page(new_ticket), methods=["GET", "POST"]),
    Route("/tabs/{integration}/tickets/{ticket}", tab_page(ticket), methods=["GET"]),
    Route("/tabs/{integration}/tickets/{ticket}/reply", tab_page(reply), methods=["POST"]),
    Route("/tabs/{integration}/tickets/{ticket}/forward", tab_page(forward), methods=["POST"]),
    Route("/tabs/{integration}/tickets/{ticket}/status", tab_page(status), methods=["POST"]),
    Route("/tabs/{integration}/{key}", entry, methods=["GET"]),
    *widget_routes,
]
"""The tab's routes, mounted by the server."""
