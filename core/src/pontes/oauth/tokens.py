"""A connection's OAuth tokens, and how a token endpoint's answer becomes them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

STANDARD_FIELDS = frozenset({"access_token", "refresh_token", "expires_in"})


@dataclass(frozen=True)
class TokenAnswer:
    """What a token endpoint answered: the tokens, their lifetime in seconds (``None`` when
    not given) and the other fields worth keeping (Zoho's ``api_domain``, say)."""

    access_token: str
    refresh_token: str | None = None
    expires_in: float | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def read_standard_answer(body: Mapping[str, Any]) -> TokenAnswer:
    """An RFC 6749 token answer: ``access_token``, ``refresh_token``, ``expires_in``; every
    other field is kept in ``extra``. Raises ``ValueError`` without an access token."""
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        raise ValueError("the token answer has no access_token")
    refresh = body.get("refresh_token")
    expires_in = body.get("expires_in")
    return TokenAnswer(
        access_token=access,
        refresh_token=refresh if isinstance(refresh, str) and refresh else None,
        expires_in=float(expires_in) if expires_in not in (None, "") else None,
        extra={k: v for k, v in body.items() if k not in STANDARD_FIELDS},
    )


@dataclass(frozen=True)
class TokenSet:
    """The tokens stored for a connection. ``extra`` holds the answer's other fields."""

    access_token: str | None
    refresh_token: str | None
    expires_at: datetime | None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_answer(cls, answer: TokenAnswer, *, now: datetime,
                    previous_refresh_token: str | None = None) -> TokenSet:
        """The tokens of ``answer``, received at ``now``; a vendor whose refresh tokens do
        not rotate answers a refresh without one, and the previous one is kept."""
        expires_at = None if answer.expires_in is None else now + timedelta(
            seconds=answer.expires_in)
        return cls(answer.access_token, answer.refresh_token or previous_refresh_token,
                   expires_at, dict(answer.extra))

    @classmethod
    def from_values(cls, values: Mapping[str, Any], expires_at: datetime | None) -> TokenSet:
        """The tokens as the vault keeps them."""
        return cls(values.get("access_token"), values.get("refresh_token"), expires_at,
                   dict(values.get("extra") or {}))

    def values(self) -> dict[str, Any]:
        """The tokens as the vault keeps them (encrypted)."""
        return {"access_token": self.access_token, "refresh_token": self.refresh_token,
                "extra": dict(self.extra)}

    def fresh(self, now: datetime, margin: timedelta) -> bool:
        """Whether the access token can still be used at ``now`` for at least ``margin``."""
        if not self.access_token:
            return False
        return self.expires_at is None or self.expires_at - margin > now
