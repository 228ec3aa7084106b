"""One connection's OAuth tokens: login, refresh, and the "needs login" state.

Refreshing is serialised twice: within a process by the session's single refresh thread
(every caller that finds the access token expired queues there), and across processes by
the token row's lock (``Vault.locked_token``). Under the lock the tokens are read again,
because another process may have refreshed them meanwhile; only when they are still stale
is the refresh token sent, and the new pair is committed before anyone uses it. A refresh
token is therefore sent once: when a vendor that rotates them leaves a refresh unanswered
(a timeout, a dropped connection, a 5xx), the token may be spent, and the connection
needs a login rather than sending it again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx

from ..errors import VendorUnavailable, VendorUnreachable
from ..http.redaction import Redactor
from ..store.vault import TokenSlot, Vault
from .declaration import OAuth2, setting_value
from .errors import NeedsLogin, OAuthError
from .tokens import TokenSet

log = logging.getLogger("pontes.oauth")

NEEDS_LOGIN = "needs_login"
NEVER_LOGGED_IN = "never logged in"


@dataclass(frozen=True)
class LoginStatus:
    """Where a connection stands with OAuth: ``logged_in`` (with the access token's
    expiry), ``needs_login`` (with the reason) or ``not_oauth`` (it signs in otherwise)."""

    connection: str
    state: Literal["logged_in", "needs_login", "not_oauth"]
    reason: str | None = None
    expires_at: datetime | None = None

    def describe(self) -> str:
        """One line for people: ``logged in``, ``needs login: <reason>``..."""
        if self.state == "needs_login":
            return f"needs login: {self.reason}"
        if self.state == "not_oauth":
            return "no OAuth"
        return "logged in"

    def as_dict(self) -> dict[str, Any]:
        """The status as JSON values (never a token)."""
        return {"state": self.state, "reason": self.reason,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None}


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class _Refused(Exception):
    """The token endpoint refused a refresh token (``reason`` says how)."""

    def __init__(self, reason: str):
        self.reason = reason


class OAuthSession:
    """The OAuth tokens of connection ``connection``, kept encrypted in ``vault``.

    ``public_url`` is the server's address, for the default redirect URI. ``transport``
    replaces httpx's for the token endpoint (tests).
    """

    def __init__(self, connection: str, settings: Any, declaration: OAuth2, vault: Vault, *,
                 public_url: str, transport: httpx.BaseTransport | None = None):
        self.connection = connection
        self.settings = settings
        self.declaration = declaration
        self.vault = vault
        self.public_url = public_url.rstrip("/")
        self._transport = transport
        self._cached: TokenSet | None = None
        self._refresher = ThreadPoolExecutor(1, thread_name_prefix=f"oauth-{connection}")

    def __repr__(self) -> str:
        return f"<OAuthSession {self.connection}>"

    # --- the settings ---------------------------------------------------------------------

    @property
    def _client_id(self) -> str | None:
        return setting_value(self.settings, self.declaration.client_id)

    @property
    def _client_secret(self) -> str | None:
        return setting_value(self.settings, self.declaration.client_secret)

    @property
    def redirect_uri(self) -> str:
        """Where the vendor sends the browser back: the ``redirect_uri`` setting, else
        ``<public_url>/oauth/<connection>/callback``."""
        return (setting_value(self.settings, self.declaration.redirect_uri)
                or f"{self.public_url}/oauth/{self.connection}/callback")

    def authorize_url(self, state: str) -> str:
        """The vendor's authorize URL for a login, carrying ``state``."""
        params = {"response_type": "code", "client_id": self._client_id or "",
                  "redirect_uri": self.redirect_uri, "state": state}
        if self.declaration.scopes:
            params["scope"] = " ".join(self.declaration.scopes)
        params.update(self.declaration.authorize_params)
        parts = urlsplit(self.declaration.authorize_url(self.settings))
        query = "&".join(q for q in (parts.query, urlencode(params)) if q)
        return urlunsplit(parts._replace(query=query))

    # --- tokens for calls -----------------------------------------------------------------

    async def tokens(self, rejected: str | None = None) -> TokenSet:
        """Tokens whose access token is fresh and is not ``rejected`` (one the vendor just
        answered 401 to), refreshing them when needed; raises ``NeedsLogin``."""
        cached = self._cached
        if cached is not None and self._usable(cached, rejected):
            return cached
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._refresher, self.fresh_tokens, rejected)

    def _usable(self, tokens: TokenSet, rejected: str | None) -> bool:
        margin = timedelta(seconds=self.declaration.refresh_margin)
        return tokens.fresh(_now(), margin) and tokens.access_token != rejected

    def fresh_tokens(self, rejected: str | None = None) -> TokenSet:
        """``tokens``, blocking: read under the row lock and refreshed there if stale."""
        cached = self._cached
        if cached is not None and self._usable(cached, rejected):
            return cached
        refused: _Refused | None = None
        with self.vault.locked_token(self.connection) as slot:
            tokens = self._stored(slot)
            if self._usable(tokens, rejected):
                self._cached = tokens
                return tokens
            if not tokens.refresh_token:
                refused = _Refused("the access token expired and there is no refresh token")
            else:
                try:
                    tokens = self._refresh(tokens)
                except _Refused as failure:
                    refused = failure
                else:
                    slot.save(tokens.values(), tokens.expires_at)
            if refused is not None:
                self._mark_needs_login(slot, refused.reason, tokens.refresh_token)
        if refused is not None:
            self._cached = None
            raise NeedsLogin(self.connection, refused.reason)
        log.info("connection %s: access token refreshed", self.connection)
        self._cached = tokens
        return tokens

    def _stored(self, slot: TokenSlot) -> TokenSet:
        seed = setting_value(self.settings, self.declaration.refresh_token_setting)
        stored = slot.token
        if stored is not None and NEEDS_LOGIN not in stored.values:
            return TokenSet.from_values(stored.values, _aware(stored.expires_at))
        if seed and (stored is None or stored.values.get("failed") != _digest(seed)):
            return TokenSet(None, seed, None)
        reason = NEVER_LOGGED_IN if stored is None else stored.values[NEEDS_LOGIN]
        raise NeedsLogin(self.connection, reason)

    def _mark_needs_login(self, slot: TokenSlot, reason: str, refresh_token: str | None) -> None:
        log.warning("connection %s needs login: %s", self.connection, reason)
        slot.save({NEEDS_LOGIN: reason, "since": _now().isoformat(),
                   "failed": _digest(refresh_token) if refresh_token else None})

    def _refresh(self, tokens: TokenSet) -> TokenSet:
        assert tokens.refresh_token is not None
        received = _now()
        try:
            answer = self._post_token({"grant_type": "refresh_token",
                                       "refresh_token": tokens.refresh_token},
                                      secrets=(tokens.refresh_token,))
        except OAuthError as error:
            body = getattr(error, "body", {})
            if self.declaration.is_revoked(error.status or 0, body):
                raise _Refused(f"the vendor refused the refresh token: {error.message}") from None
            raise
        except VendorUnavailable as error:
            if isinstance(error, VendorUnreachable) or not self.declaration.rotates_refresh_token:
                raise
            raise _Refused("a refresh went unanswered and its refresh token may be spent "
                           f"({error.message})") from None
        return TokenSet.from_answer(answer, now=received,
                                    previous_refresh_token=tokens.refresh_token)

    # --- login ----------------------------------------------------------------------------

    def exchange_code(self, code: str) -> TokenSet:
        """Exchange an authorization ``code`` for tokens and store them (blocking); the
        connection is logged in from then on. Raises ``OAuthError`` when the vendor refuses."""
        received = _now()
        answer = self._post_token({"grant_type": "authorization_code", "code": code},
                                  secrets=(code,))
        tokens = TokenSet.from_answer(answer, now=received)
        with self.vault.locked_token(self.connection) as slot:
            slot.save(tokens.values(), tokens.expires_at)
        self._cached = tokens
        log.info("connection %s: logged in", self.connection)
        return tokens

    async def login(self, code: str) -> TokenSet:
        """``exchange_code`` without blocking the event loop."""
        return await asyncio.to_thread(self.exchange_code, code)

    def status(self) -> LoginStatus:
        """Whether the connection is logged in or needs a login, and why."""
        return status_of(self.connection, self.vault.load_token(self.connection),
                         has_seed=bool(setting_value(self.settings,
                                                     self.declaration.refresh_token_setting)))

    def close(self) -> None:
        """Stop the refresh thread."""
        self._refresher.shutdown(wait=False)

    # --- the token endpoint ---------------------------------------------------------------

    def _post_token(self, grant: Mapping[str, str], *, secrets: tuple[str, ...]) -> Any:
        body = {**grant, "client_id": self._client_id or "",
                "client_secret": self._client_secret or "", "redirect_uri": self.redirect_uri}
        url = self.declaration.token_url(self.settings)
        redactor = Redactor([*secrets, *(s for s in (self._client_secret,) if s)])
        send = {"json": body} if self.declaration.token_request == "json" else {"data": body}
        try:
            with httpx.Client(timeout=30.0, transport=self._transport) as http:
                response = http.post(url, headers={"Accept": "application/json"}, **send)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise VendorUnreachable(f"token endpoint unreachable: {type(exc).__name__}",
                                    url=url) from None
        except httpx.HTTPError as exc:
            raise VendorUnavailable(f"token endpoint failed: {type(exc).__name__}",
                                    url=url) from None
        if response.status_code >= 500:
            raise VendorUnavailable(f"token endpoint answered {response.status_code}",
                                    status=response.status_code, url=url)
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise _oauth_error("the token endpoint did not answer a JSON object", response,
                               {}, url)
        if response.status_code >= 400 or "error" in answer:
            raise _oauth_error(redactor.text(self.declaration.explain_error(answer)), response,
                               answer, url)
        try:
            return self.declaration.read_answer(answer)
        except (ValueError, TypeError) as exc:
            raise _oauth_error(f"unreadable token answer: {exc}", response, {}, url) from None


def _oauth_error(message: str, response: httpx.Response, body: Mapping[str, Any],
                 url: str) -> OAuthError:
    error = OAuthError(message, status=response.status_code, url=url)
    error.body = {k: body[k] for k in ("error", "hint", "title", "status") if k in body}
    return error


def status_of(connection: str, stored: Any, *, has_seed: bool = False) -> LoginStatus:
    """The ``LoginStatus`` of ``connection`` from its stored tokens (``OAuthToken`` or
    ``None``); ``has_seed`` when its settings hold a refresh token to start from."""
    if stored is None:
        if has_seed:
            return LoginStatus(connection, "logged_in")
        return LoginStatus(connection, "needs_login", NEVER_LOGGED_IN)
    if NEEDS_LOGIN in stored.values:
        return LoginStatus(connection, "needs_login", stored.values[NEEDS_LOGIN])
    return LoginStatus(connection, "logged_in", expires_at=_aware(stored.expires_at))
