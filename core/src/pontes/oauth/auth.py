"""``OAuthAuth``: the ``httpx.Auth`` of a connection that signs in with OAuth."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import httpx

from ..http.redaction import Redactor
from .session import OAuthSession
from .tokens import TokenSet


class OAuthAuth(httpx.Auth):
    """Puts the connection's access token on every request (refreshed before it expires)
    (sent to the host the token answer names when the declaration's ``api_base`` says
    so) and, when the vendor answers 401 all the same, refreshes once and sends the request
    again: a 401 means the vendor did nothing, so even a POST is safe to repeat. The
    tokens in use are masked by ``redactor`` (the client's) wherever they would show."""

    def __init__(self, session: OAuthSession, redactor: Redactor):
        self.session = session
        self.redactor = redactor
        self._masked: TokenSet | None = None

    async def async_auth_flow(self, request: httpx.Request
                              ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Send ``request`` with the access token; once more with a new one after a 401."""
        tokens = await self.session.tokens()
        self._sign(request, tokens)
        response = yield request
        if response.status_code == 401:
            await response.aread()
            tokens = await self.session.tokens(rejected=tokens.access_token)
            self._sign(request, tokens)
            yield request

    def sync_auth_flow(self, request: httpx.Request):
        """Vendor clients are asynchronous; a synchronous client cannot use this auth."""
        raise RuntimeError("OAuthAuth works with httpx.AsyncClient only")

    def _sign(self, request: httpx.Request, tokens: TokenSet) -> None:
        if tokens is not self._masked:
            self.redactor.mask_changing([tokens.access_token or "", tokens.refresh_token or ""])
            self._masked = tokens
        declaration = self.session.declaration
        request.headers["Authorization"] = declaration.authorization(tokens.access_token or "")
        base = declaration.api_base(self.session.settings, tokens.extra)
        if base:
            moved = request.url.copy_with(**_origin(base))
            if moved != request.url:
                request.url = moved
                request.headers["Host"] = moved.netloc.decode("ascii")


def _origin(base: str) -> dict[str, object]:
    """The scheme, host and port of ``base`` as ``httpx.URL.copy_with`` arguments."""
    url = httpx.URL(base)
    return {"scheme": url.scheme, "host": url.host, "port": url.port}
