"""The Starlette app: webhooks, automation requests, actions, the admin API, health and
metrics.

``create_app(runtime, store)`` builds it; its lifespan starts the engine (group commit,
the queue that runs events, polling) and stops it, closing the connections' HTTP clients.
The store belongs to the caller, who closes it after the app has stopped.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..admin import api as admin_api
from ..admin import pages as admin_pages
from ..engine import Engine, Settings
from ..engine.metrics import CONTENT_TYPE
from ..keys import installation_key
from ..mapping.overrides import apply_overrides
from ..oauth import routes as oauth_routes
from ..oauth.wiring import attach_oauth, login_statuses
from ..panels import routes as panel_routes
from ..panels.tickets_tab import routes as tab_routes
from ..runtime import Runtime
from ..store import Store
from ..web.static import static_mount
from . import actions, hooks, requests
from .bodies import json_response

log = logging.getLogger("pontes.server")


async def healthz(request: Request) -> Response:
    """200 when the store answers, 503 when it does not."""
    store: Store = request.app.state.store
    try:
        await store.run(store.ping)
    except Exception as exc:
        log.warning("health check: the store does not answer: %s", type(exc).__name__)
        return json_response({"status": "unavailable", "store": "unreachable"}, 503)
    return json_response({"status": "ok"})


async def metrics(request: Request) -> Response:
    """Prometheus metrics, with the store-derived gauges refreshed."""
    engine: Engine = request.app.state.engine
    try:
        await engine.refresh_metrics()
        logins = await engine.store.run(login_statuses, engine.runtime, engine.store.vault)
        engine.metrics.login_status({name: status.state == "needs_login"
                                     for name, status in logins.items()
                                     if status.state != "not_oauth"})
    except Exception:
        log.exception("could not refresh the store gauges")
    return Response(engine.metrics.render(), media_type=CONTENT_TYPE)


def create_app(runtime: Runtime, store: Store, settings: Settings | None = None, *,
               key: bytes | None = None, engine: Engine | None = None) -> Starlette:
    """The pontes server for ``runtime``'s configuration, storing in ``store``.

    ``settings`` default to ``Settings.from_env()``; ``key`` (the installation key,
    default the runtime's, else its configuration's) derives the action tokens.
    """
    settings = settings or Settings.from_env()
    engine = engine or Engine(runtime, store, settings)
    attach_oauth(runtime, store.vault)
    apply_overrides(runtime, store.mappings.in_force())

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await engine.start()
        try:
            yield
        finally:
            await engine.stop()
            await runtime.aclose()

    app = Starlette(
        routes=[
            *hooks.routes,
            *requests.routes,
            *actions.routes,
            *admin_api.routes,
            *admin_pages.routes,
            *oauth_routes.routes,
            *panel_routes.routes,
            *tab_routes.routes,
            static_mount(),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.store = store
    app.state.settings = settings
    app.state.engine = engine
    app.state.key = key or runtime.key or installation_key(runtime.config.key_file)
    app.state.admin_openapi = admin_api.openapi_document()
    return app
