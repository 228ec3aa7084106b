"""The tab for a CRM widget that proves who its user is.

Some CRMs sign, in their web interface, which user makes a request (amoCRM's one-time
tokens: a widget's ``$authorizedAjax`` sends one in an ``X-Auth-Token`` header). A widget
of such a CRM asks ``POST /tabs/<integration>/<key>/session?module=&id=[&language=]``,
with the integration's shared key and the token; the CRM's plugin checks the token
(``user.identify``) and the answer is ``{"url": ...}``, the tab's page for that record and
that user, proven as a personal address would prove them, for the widget to show in its
frame. The browser calls from the CRM's own site, so the answer allows that origin (CORS)
and no other.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...web.i18n import choose_language
from ..session import NO_STORE
from ..signed import PARAMETER
from .context import TabContext, key_is_valid, sign_tab
from .session import BadRecordAddress, TabNotFound, addressed_record, tab_integration

TOKEN_HEADER = "X-Auth-Token"


def _refused(status: int, reason: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": reason}, status_code=status,
                        headers={**NO_STORE, **(headers or {})})


def _allowing(origin: str) -> dict[str, str]:
    return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}


async def preflight(request: Request) -> Response:
    """The browser's CORS preflight: the widget may post with the token header. Which
    origin may read the answer is decided by the token itself, on the post."""
    origin = request.headers.get("origin")
    if not origin:
        return Response(status_code=400)
    return Response(status_code=204, headers={
        **_allowing(origin), "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": TOKEN_HEADER, "Access-Control-Max-Age": "600"})


async def session(request: Request) -> Response:
    """The tab's page for the record and the user the CRM's token proves, as ``{"url"}``."""
    try:
        integration = tab_integration(request)
    except TabNotFound:
        return _refused(404, "There is no Tickets tab here.")
    if not key_is_valid(integration, request.path_params["key"]):
        return _refused(403, "This tab address is not valid for this integration.")
    crm = integration.connections["crm"]
    if not crm.has("user.identify"):
        return _refused(404, f"{crm.connector.title} does not sign its users' requests: "
                             "use the users' personal tab addresses.")
    token = request.headers.get(TOKEN_HEADER)
    if not token:
        return _refused(401, f"The request has no {TOKEN_HEADER} header.")
    try:
        user = await crm.call("user.identify", token=token)
    except ValueError as exc:
        return _refused(403, f"{crm.connector.title}'s token was refused: {exc}.")
    origin = request.headers.get("origin")
    if origin is not None and origin.lower() != user.account:
        return _refused(403, "The request comes from another site than the CRM account.")
    cors = _allowing(user.account)
    try:
        kind, record = addressed_record(request)
    except BadRecordAddress as exc:
        return _refused(400, str(exc), cors)
    context = TabContext(integration=integration.name, kind=kind, record=record,
                         user=user.id, proven=True,
                         language=choose_language(request.query_params.get("language")))
    url = (f"{integration.public_url}/tabs/{integration.name}/tickets?"
           + urlencode({PARAMETER: sign_tab(integration, context)}))
    return JSONResponse({"url": url}, headers={**NO_STORE, **cors})


widget_routes = [
    Route("/tabs/{integration}/{key}/session", session, methods=["POST"]),
    Route("/tabs/{integration}/{key}/session", preflight, methods=["OPTIONS"]),
]
"""The widget's routes, mounted with the tab's."""
