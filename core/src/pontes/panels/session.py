"""One request to a panel page: the integration, the signed context, the CRM, the
answer in the context's language, and what the agent sees when something fails.

Every failure is a page in the panel's frame with a clear message and, where trying
again may help, a Retry button: an expired or forged link, a post without its CSRF
token, a contact or deal that is not the client's, a CRM that needs a login (the
"Login to <CRM>" page), a CRM that is down or rate-limited. Never a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from ..engine.explain import explain_failure
from ..errors import PermanentFailure, RateLimitedError, VendorError, VendorUnavailable
from ..oauth.errors import NeedsLogin
from ..recipes import Integration
from ..store import Store
from ..store.links import StoreLinks
from ..web.csrf import CsrfRejected, checked_form, csrf_token
from ..web.signing import BadSignature
from ..web.templating import page
from .context import PanelContext, open_context
from .crm import CRM, HELPDESK, NotThisClients, PanelCrm
from .features import HELPDESK_TRIGGER, FeatureMissing
from .forms import shown_value
from .preferences import PanelPreferences
from .signed import context_token, link_with

log = logging.getLogger("pontes.panels")

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
"""Panel pages carry a signed context: never cached, never sent on as a referrer."""


class PanelNotFound(LookupError):
    """No enabled integration of that name serves a panel."""


def panel_integration(request: Request) -> Integration:
    """The integration named in the path, when it serves a panel (a helpdesk with a
    ticket-card trigger and a CRM); ``PanelNotFound`` otherwise."""
    name = request.path_params["integration"]
    integration = request.app.state.runtime.integrations.get(name)
    if (integration is None or not integration.config.enabled
            or set(integration.recipe.roles) != {HELPDESK, CRM}
            or HELPDESK_TRIGGER not in integration.recipe.roles[HELPDESK].triggers):
        raise PanelNotFound(name)
    return integration


@dataclass
class Panel:
    """A panel request: its integration, signed context (and token), CRM and store."""

    request: Request
    integration: Integration
    context: PanelContext
    token: str
    crm: PanelCrm
    store: Store

    @property
    def base(self) -> str:
        """The path of the panel's pages."""
        return f"/panels/{self.integration.name}"

    def link(self, path: str = "", **params: Any) -> str:
        """The path of panel page ``path`` with the context (and ``params``)."""
        return link_with(self.base, self.token, path, **params)

    @property
    def preferences(self) -> PanelPreferences:
        """Where the operator's choices for this integration are kept."""
        return PanelPreferences(self.store.engine)

    async def preference(self, name: str) -> Any:
        """The operator's choice ``name`` for this integration, or ``None``."""
        return await self.store.run(self.preferences.get, self.integration.name, name)

    async def choose(self, name: str, value: Any) -> None:
        """Keep the operator's choice ``name`` for this integration."""
        await self.store.run(self.preferences.put, self.integration.name, name, value)

    async def form(self) -> FormData:
        """The posted form, after its CSRF check (``CsrfRejected``)."""
        return await checked_form(self.request, self.request.app.state.key, self.token)

    def render(self, template: str, *, status_code: int = 200, partial: bool = False,
               **values: Any) -> Response:
        """Panel page ``template`` in the context's language; with ``partial``, only its
        content when htmx asked for it (not for a boosted link, which wants the page)."""
        headers = self.request.headers
        fragment = (partial and headers.get("hx-request") == "true"
                    and headers.get("hx-boosted") != "true")
        return page(template, language=self.context.language, status_code=status_code,
                    headers=NO_STORE, link=self.link, features=self.crm.features,
                    crm_title=self.crm.crm.connector.title, crm_id=self.crm.crm.name,
                    shown_value=shown_value,
                    csrf_token=csrf_token(self.request.app.state.key, self.token),
                    context=self.context, context_token=self.token, fragment=fragment,
                    **values)


async def open_panel(request: Request) -> Panel:
    """The panel of this request; ``PanelNotFound`` or ``BadSignature`` when there is
    none (the context of a post may come in its form)."""
    integration = panel_integration(request)
    form = await request.form() if request.method == "POST" else None
    token = context_token(request, form, "panel")
    context = open_context(integration, token)
    store: Store = request.app.state.store
    crm = PanelCrm(integration, context, StoreLinks(store.links, store.run))
    return Panel(request, integration, context, token, crm, store)


PanelHandler = Callable[[Panel], Awaitable[Response]]


def panel_page(handler: PanelHandler) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint running ``handler`` for the request's panel, with every
    failure answered as a page the agent can read."""

    async def endpoint(request: Request) -> Response:
        try:
            panel = await open_panel(request)
        except PanelNotFound:
            return _plain_error(request, 404, "There is no panel here.")
        except BadSignature as exc:
            log.info("panel refused: %s", exc)
            return _plain_error(request, 403, "This panel link has expired or is not valid. "
                                              "Open the ticket again.")
        try:
            return await handler(panel)
        except CsrfRejected as exc:
            return failure(panel, 403, str(exc), retry=False)
        except NeedsLogin:
            return panel.render("panels/login.html")
        except NotThisClients as exc:
            return failure(panel, 403, str(exc), retry=False)
        except FeatureMissing as exc:
            return failure(panel, 404, str(exc), retry=False)
        except RateLimitedError as exc:
            return failure(panel, 503, "%(crm)s is limiting how fast pontes may call it. "
                                       "Wait a moment and retry.", retry=True, detail=exc)
        except VendorUnavailable as exc:
            return failure(panel, 503, "%(crm)s is not answering right now. Retry in a moment.",
                           retry=True, detail=exc)
        except (VendorError, PermanentFailure) as exc:
            return failure(panel, 502, "%(crm)s refused the request.", retry=True, detail=exc)
        except Exception as exc:
            log.exception("panel %s failed", request.url.path)
            return failure(panel, 500, "Something went wrong while asking %(crm)s.", retry=True,
                           detail=exc)

    return endpoint


def failure(panel: Panel, status: int, message: str, *, retry: bool,
            detail: BaseException | None = None) -> Response:
    """An error page in the panel, with the CRM's own words (secrets masked) when it
    gave any, and a Retry button that loads the panel again."""
    said = None
    if isinstance(detail, VendorError | PermanentFailure):
        said = explain_failure(detail, panel.integration.connections.values())
    return panel.render("panels/error.html", status_code=status, message=message,
                        detail=said, retry=retry)


def _plain_error(request: Request, status: int, message: str) -> Response:
    language = request.query_params.get("language") or "en"
    return page("panels/refused.html", language=language, status_code=status,
                headers=NO_STORE, message=message)
