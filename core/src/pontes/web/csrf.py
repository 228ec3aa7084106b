"""CSRF protection for form posts.

A page that shows a form puts a CSRF token in it (a hidden ``csrf_token`` field, and the
``X-CSRF-Token`` header that htmx sends, see ``base.html``). The token is signed for the
purpose ``csrf`` and bound to what authorises the page: the signed panel context, or the
admin session. A post is accepted only with a token made for that same binding and not
yet expired, so a page of one ticket cannot post for another, and a site that cannot read
the page cannot forge a post.
"""

from __future__ import annotations

import hashlib
import hmac

from starlette.datastructures import FormData
from starlette.requests import Request

from .signing import BadSignature, sign, unsign

FIELD = "csrf_token"
"""The form field that carries the token."""

HEADER = "x-csrf-token"
"""The request header that carries the token (htmx sends it from ``hx-headers``)."""

LIFETIME = 8 * 3600.0
"""How long a token is accepted: a working day with a page left open."""

_PURPOSE = "csrf"


class CsrfRejected(PermissionError):
    """A post without a CSRF token, or with one made for another page or expired."""


def _binding_digest(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()[:32]


def csrf_token(key: bytes, binding: str, *, now: float | None = None) -> str:
    """A CSRF token for pages authorised by ``binding`` (a panel context token, a
    session id)."""
    return sign(key, _PURPOSE, {"b": _binding_digest(binding)}, lifetime=LIFETIME, now=now)


def check_csrf(key: bytes, binding: str, token: str | None, *, now: float | None = None) -> None:
    """Raise ``CsrfRejected`` unless ``token`` was made by ``csrf_token`` for ``binding``
    and has not expired."""
    if not token:
        raise CsrfRejected("the form has no CSRF token; reload the page and try again")
    try:
        data = unsign(key, _PURPOSE, token, now=now)
    except BadSignature as exc:
        raise CsrfRejected(f"the CSRF token is not valid ({exc}); reload the page") from None
    if not hmac.compare_digest(str(data.get("b", "")), _binding_digest(binding)):
        raise CsrfRejected("the CSRF token was made for another page; reload the page")


async def checked_form(request: Request, key: bytes, binding: str) -> FormData:
    """The request's form, after checking its CSRF token (the header, else the field);
    ``CsrfRejected`` when the check fails."""
    form = await request.form()
    given = request.headers.get(HEADER) or form.get(FIELD)
    check_csrf(key, binding, given if isinstance(given, str) else None)
    return form
