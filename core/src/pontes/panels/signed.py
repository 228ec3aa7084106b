"""What the ticket-card panel and the Tickets tab share: a context signed for one
integration and carried back by every page and button.

A context (a pydantic model naming its ``integration``) is signed and expiring
(``pontes.web.signing``), with a key derived from the integration's webhook tokens, so it
is good for that integration alone and new tokens retire it. Pages carry it in the ``ctx``
query or form parameter.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel
from starlette.requests import Request

from ..keys import derive_key
from ..recipes import Integration
from ..web.signing import BadSignature, sign, unsign

PARAMETER = "ctx"
"""The query or form parameter that carries the context."""


class _Named(Protocol):
    integration: str


Context = TypeVar("Context", bound=BaseModel)


def signing_key(integration: Integration) -> bytes:
    """The key the contexts of ``integration`` are signed with, derived from its webhook
    tokens."""
    tokens = "\n".join(f"{role}={token}" for role, token in
                       sorted(integration.webhook_tokens.items()))
    return derive_key(tokens.encode(), f"pontes:panel:{integration.name}")


def sign_for(integration: Integration, purpose: str, context: BaseModel, lifetime: float, *,
             now: float | None = None) -> str:
    """The token of ``context``, signed for ``integration`` and ``purpose``, good for
    ``lifetime`` seconds."""
    return sign(signing_key(integration), purpose, context.model_dump(exclude_defaults=True),
                lifetime=lifetime, now=now)


def open_for(integration: Integration, purpose: str, token: str, model: type[Context],
             what: str, *, now: float | None = None) -> Context:
    """The ``model`` a token ``sign_for`` made for ``integration`` and ``purpose``;
    ``BadSignature`` (naming the ``what`` context) when it is forged, expired, malformed
    or made for another integration."""
    data = unsign(signing_key(integration), purpose, token, now=now)
    try:
        context = model.model_validate(data)
    except ValueError:
        raise BadSignature(f"the {what} context is malformed") from None
    named: _Named = context  # type: ignore[assignment]
    if named.integration != integration.name:
        raise BadSignature(f"the {what} context was made for another integration")
    return context


def context_token(request: Request, form: Any, what: str) -> str:
    """The context a request carries, in its query or its posted ``form``;
    ``BadSignature`` (naming the ``what`` link) when there is none."""
    token = request.query_params.get(PARAMETER) or (form.get(PARAMETER) if form else None)
    if not token:
        raise BadSignature(f"the {what} link has no context")
    return str(token)


def link_with(base: str, token: str, path: str = "", **params: Any) -> str:
    """The path ``base`` + ``path`` with ``params`` (those not ``None``) and the context."""
    query = urlencode({**{k: v for k, v in params.items() if v is not None},
                       PARAMETER: token})
    return f"{base}{path}?{query}"
