"""Signing in to the admin pages: the admin token once, then a session cookie.

- The token is compared in constant time; a wrong one gets the same answer however close
  it was, and every failure from one address makes the next answer to that address wait
  longer (``Throttle``), up to ``MAX_DELAY``, until a sign-in succeeds or an hour passes.
- The session is a token signed for the purpose ``admin-session`` (``pontes.web.signing``)
  carrying a random session id and a digest of the admin token, so changing
  ``PONTES_ADMIN_TOKEN`` signs everyone out. The cookie is HttpOnly, SameSite=Strict,
  limited to ``/admin``, Secure when the public URL is https, and expires after
  ``LIFETIME``.
- Every form post carries a CSRF token bound to the session id (``pontes.web.csrf``).
- Signing out clears the cookie and records the session id in the store, so that no
  server process of the installation accepts a kept copy of the cookie again.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import Response

from ..server.auth import token_matches
from ..store import Store, utcnow
from ..web.csrf import csrf_token
from ..web.signing import BadSignature, sign, unsign

COOKIE = "pontes_admin"
PURPOSE = "admin-session"
LIFETIME = 8 * 3600.0
"""How long a session lasts: a working day."""
SIGN_IN_BINDING = "admin-sign-in"
"""What the sign-in form's CSRF token is bound to (there is no session yet)."""
BASE_DELAY = 0.25
MAX_DELAY = 8.0
FORGET_AFTER = 3600.0
"""Seconds after its last failure when an address's failures are forgotten."""
MAX_ADDRESSES = 10_000
"""Addresses whose failures are kept before the stale ones are dropped (bounded memory)."""


@dataclass(frozen=True)
class Session:
    """A signed-in operator: the session id (the CSRF binding) and its CSRF token."""

    id: str
    csrf: str


def _token_digest(admin_token: str) -> str:
    return hashlib.sha256(f"pontes-admin:{admin_token}".encode()).hexdigest()[:32]


def new_session_cookie(key: bytes, admin_token: str) -> str:
    """The cookie value of a new session."""
    return sign(key, PURPOSE, {"sid": secrets.token_urlsafe(18),
                               "tok": _token_digest(admin_token)}, lifetime=LIFETIME)


@dataclass
class Throttle:
    """Failed sign-ins per client address, and how long the next answer waits."""

    failures: dict[str, tuple[int, float]] = field(default_factory=dict)

    def delay(self, address: str, now: float | None = None) -> float:
        """Seconds the next answer to ``address`` waits: 0 before any failure, then
        doubling from ``BASE_DELAY`` with each failure, at most ``MAX_DELAY``."""
        now = time.monotonic() if now is None else now
        count, last = self.failures.get(address, (0, now))
        if count == 0 or now - last > FORGET_AFTER:
            return 0.0
        return min(MAX_DELAY, BASE_DELAY * 2 ** (count - 1))

    def failed(self, address: str, now: float | None = None) -> None:
        """Count a failure of ``address``."""
        now = time.monotonic() if now is None else now
        count, last = self.failures.get(address, (0, now))
        if now - last > FORGET_AFTER:
            count = 0
        self.failures[address] = (count + 1, now)
        if len(self.failures) > MAX_ADDRESSES:
            self.failures = {a: seen for a, seen in self.failures.items()
                             if now - seen[1] <= FORGET_AFTER}

    def succeeded(self, address: str) -> None:
        """Forget ``address``'s failures."""
        self.failures.pop(address, None)


@dataclass
class SessionKeeper:
    """Sign-in, sign-out and session checks for one server process; sign-outs are kept in
    ``store``, shared by every process."""

    key: bytes
    admin_token: str | None
    secure: bool
    store: Store
    throttle: Throttle = field(default_factory=Throttle)

    async def session(self, request: Request) -> Session | None:
        """The request's session, or ``None`` when it has none that is valid now."""
        cookie = request.cookies.get(COOKIE)
        if not cookie or not self.admin_token:
            return None
        try:
            data = unsign(self.key, PURPOSE, cookie)
        except BadSignature:
            return None
        sid = str(data.get("sid", ""))
        if not sid or not token_matches(str(data.get("tok", "")),
                                        _token_digest(self.admin_token)):
            return None
        if await self.store.run(self.store.sign_outs.signed_out, sid):
            return None
        return Session(sid, csrf_token(self.key, sid))

    async def sign_in(self, address: str, given: str | None) -> str | None:
        """The new session's cookie value when ``given`` is the admin token, else ``None``
        (after a wait that grows with the address's failures)."""
        wait = self.throttle.delay(address)
        if wait:
            await asyncio.sleep(wait)
        if not self.admin_token or not token_matches(given, self.admin_token):
            self.throttle.failed(address)
            return None
        self.throttle.succeeded(address)
        return new_session_cookie(self.key, self.admin_token)

    async def sign_out(self, session: Session) -> None:
        """End ``session`` in every process (until it would have expired anyway)."""
        until = utcnow() + timedelta(seconds=LIFETIME)
        await self.store.run(self.store.sign_outs.record, session.id, until)

    def set_cookie(self, response: Response, value: str) -> None:
        """Give the browser the session cookie."""
        response.set_cookie(COOKIE, value, max_age=int(LIFETIME), path="/admin",
                            httponly=True, samesite="strict", secure=self.secure)

    def clear_cookie(self, response: Response) -> None:
        """Make the browser forget the session cookie."""
        response.delete_cookie(COOKIE, path="/admin", httponly=True, samesite="strict",
                               secure=self.secure)
