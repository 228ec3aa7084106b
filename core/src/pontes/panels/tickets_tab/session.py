"""One request to a Tickets tab page: the integration, the signed context, the record's
tickets, and the page the CRM user sees when something fails (never a stack trace).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ...engine.explain import explain_failure
from ...errors import PermanentFailure, RateLimitedError, VendorError, VendorUnavailable
from ...recipes import Integration
from ...store.links import StoreLinks
from ...web.csrf import CsrfRejected, checked_form, csrf_token
from ...web.i18n import choose_language
from ...web.signing import BadSignature
from ...web.templating import page
from ..features import FeatureMissing
from ..session import NO_STORE
from ..signed import context_token, link_with
from . import messages
from .acting import (
    NOT_PROVEN,
    AgentRefused,
    NotProven,
    acting_user,
    allowed_agent,
    shown_read_only,
)
from .context import TabContext, UnknownModule, open_tab, record_kind
from .tickets import RecordTickets

log = logging.getLogger("pontes.panels.tickets_tab")

RECIPE = "tickets_tab"


class TabNotFound(LookupError):
    """No integration of that name shows a Tickets tab."""


class NotMapped(PermissionError):
    """The CRM user is not mapped to a helpdesk agent, so may not change tickets."""


def tab_integration(request: Request) -> Integration:
    """The ``tickets_tab`` integration named in the path (enabled or not)."""
    integration = request.app.state.runtime.integrations.get(
        request.path_params["integration"])
    if integration is None or integration.recipe.name != RECIPE:
        raise TabNotFound(request.path_params["integration"])
    return integration


@dataclass
class Tab:
    """A tab request: its integration, signed context (and token) and the record's
    tickets."""

    request: Request
    integration: Integration
    context: TabContext
    token: str
    tickets: RecordTickets

    @property
    def helpdesk_title(self) -> str:
        """The helpdesk's name as its users know it."""
        return self.tickets.helpdesk.connector.title

    def link(self, path: str = "", **params: Any) -> str:
        """The path of tab page ``path`` (below ``/tickets``) with the context."""
        return link_with(f"/tabs/{self.integration.name}/tickets", self.token, path, **params)

    @property
    def acting_user(self) -> str | None:
        """The CRM user the tab acts for (``acting.acting_user``)."""
        return acting_user(self.context, self.integration.options.default_user)

    def agent(self) -> str:
        """The helpdesk agent the CRM user works as; ``NotProven`` when the shared
        address names a user it cannot prove, ``NotMapped`` when there is no agent."""
        user = self.acting_user
        if shown_read_only(self.context, self.integration.options.default_user):
            raise NotProven(self.say(NOT_PROVEN))
        agent = self.integration.options.agents.get(user) if user else None
        if agent is None:
            raise NotMapped(self.say(messages.NOT_MAPPED if user else messages.NO_USER,
                                     user=user))
        return agent

    async def allowed_agent(self, action: str) -> str:
        """The helpdesk agent the tab acts as for ``action`` (a write of
        ``acting.ACTION_WORDS``), once the helpdesk allows it; ``NotProven``, ``NotMapped``
        or ``AgentRefused`` otherwise."""
        return await allowed_agent(self.tickets.helpdesk, self.agent(), action, self.say)

    def say(self, message: str, **values: Any) -> str:
        """``message`` (one of ``messages``) in the tab's language, naming the CRM and
        the helpdesk."""
        return messages.say(self.context.language, message, crm=self.tickets.crm.connector.title,
                            helpdesk=self.helpdesk_title, **values)

    async def form(self) -> FormData:
        """The posted form, after its CSRF check (``CsrfRejected``)."""
        return await checked_form(self.request, self.request.app.state.key, self.token)

    def said(self, error: BaseException) -> str:
        """What a vendor said, with every connection's secrets masked."""
        if isinstance(error, VendorError | PermanentFailure):
            return explain_failure(error, self.integration.connections.values())
        return ""

    def render(self, template: str, *, status_code: int = 200, **values: Any) -> Response:
        """Tab page ``template`` in the context's language."""
        user = self.acting_user
        values = {"error": None, "detail": None, "retry": False, "done": None, **values}
        return page(template, language=self.context.language, status_code=status_code,
                    headers=NO_STORE, link=self.link, features=self.tickets.features,
                    helpdesk_title=self.helpdesk_title, helpdesk_id=self.tickets.helpdesk.name,
                    crm_title=self.tickets.crm.connector.title,
                    mapped=bool(user and user in self.integration.options.agents),
                    shared_address=shown_read_only(self.context,
                                                   self.integration.options.default_user),
                    csrf_token=csrf_token(self.request.app.state.key, self.token),
                    context=self.context, context_token=self.token, **values)


def make_tab(request: Request, integration: Integration, context: TabContext,
             token: str) -> Tab:
    """The tab for ``context``."""
    store = request.app.state.store
    tickets = RecordTickets(integration, context.kind, context.record,
                            StoreLinks(store.links, store.run))
    return Tab(request, integration, context, token, tickets)


async def open_tab_request(request: Request) -> Tab:
    """The tab of a page request, from its signed context (query, or the posted form)."""
    integration = tab_integration(request)
    form = await request.form() if request.method == "POST" else None
    token = context_token(request, form, "tab")
    return make_tab(request, integration, open_tab(integration, token), token)


TabHandler = Callable[[Tab], Awaitable[Response]]


def plain_error(request: Request, status: int, message: str, **values: Any) -> Response:
    """A page with ``message`` (one of ``messages``, with ``values``) for a request no tab
    could be opened for, in the language the address asks for."""
    language = choose_language(request.query_params.get("language"))
    said = messages.say(language, message, **values)
    # the page translates its message as a format string: a % the address put in stays one
    return page("panels/refused.html", language=language, status_code=status,
                headers=NO_STORE, message=said.replace("%", "%%"))


class BadRecordAddress(ValueError):
    """A tab address whose record is missing or of a module the tab does not show:
    ``message`` (one of ``messages``) with its ``values``."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message % values)
        self.message, self.values = message, values


def addressed_record(request: Request) -> tuple[str, str]:
    """The kind and CRM id of the record a tab address names (``module`` and ``id``);
    ``BadRecordAddress`` otherwise."""
    query = request.query_params
    try:
        kind = record_kind(query.get("module") or "")
    except UnknownModule:
        raise BadRecordAddress(messages.UNKNOWN_MODULE,
                               module=repr(query.get("module") or "")) from None
    record = (query.get("id") or "").strip()
    if not record:
        raise BadRecordAddress(messages.NO_RECORD_ID)
    return kind, record


async def is_active(tab: Tab) -> bool:
    """Whether the integration is on: enabled in the configuration and not deactivated
    (``pontes deactivate`` or the admin pages)."""
    if not tab.integration.config.enabled:
        return False
    store = tab.request.app.state.store
    state = (await store.run(store.integration_states.all)).get(tab.integration.name)
    return state is None or state.active


def off(tab: Tab) -> Response:
    """The page a deactivated integration shows instead of the tickets."""
    return tab.render("tabs/off.html")


async def guarded(tab: Tab, handler: TabHandler) -> Response:
    """``handler``'s page, with every failure answered as a page the user can read."""
    if not await is_active(tab):
        return off(tab)
    try:
        return await handler(tab)
    except CsrfRejected as exc:
        log.info("tab form refused: %s", exc)
        return tab.render("tabs/error.html", status_code=403,
                          message=tab.say(messages.FORM_EXPIRED))
    except (NotMapped, NotProven, AgentRefused) as exc:
        return tab.render("tabs/error.html", status_code=403, message=str(exc))
    except FeatureMissing as exc:
        return tab.render("tabs/error.html", status_code=404,
                          message=tab.say(messages.CANNOT, feature=str(exc)))
    except LookupError:
        return tab.render("tabs/error.html", status_code=403, message=tab.say(
            messages.NOT_THIS_RECORDS, ticket=tab.request.path_params.get("ticket", "")))
    except RateLimitedError as exc:
        return tab.render("tabs/error.html", status_code=503, retry=True, detail=tab.said(exc),
                          message=tab.say(messages.RATE_LIMITED))
    except VendorUnavailable as exc:
        return tab.render("tabs/error.html", status_code=503, retry=True, detail=tab.said(exc),
                          message=tab.say(messages.UNAVAILABLE))
    except VendorError as exc:
        if exc.status == 403:
            return tab.render("tabs/error.html", status_code=403, detail=tab.said(exc),
                              message=tab.say(messages.NO_PERMISSION))
        return tab.render("tabs/error.html", status_code=502, retry=True, detail=tab.said(exc),
                          message=tab.say(messages.REFUSED))
    except Exception as exc:
        log.exception("tab page %s failed", tab.request.url.path)
        return tab.render("tabs/error.html", status_code=500, retry=True,
                          message=tab.say(messages.FAILED), detail=tab.said(exc))


def tab_page(handler: TabHandler) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint for a tab page that carries its signed context."""

    async def endpoint(request: Request) -> Response:
        try:
            tab = await open_tab_request(request)
        except TabNotFound:
            return plain_error(request, 404, messages.NO_TAB)
        except BadSignature as exc:
            log.info("tab refused: %s", exc)
            return plain_error(request, 403, messages.BAD_LINK)
        return await guarded(tab, handler)

    return endpoint
