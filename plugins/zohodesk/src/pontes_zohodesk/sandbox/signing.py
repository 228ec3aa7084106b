"""How the sandbox signs its webhook deliveries, as Zoho Desk does: an ``X-ZDesk-JWT``
header holding an RS256 JWT whose ``iss`` is ``orgId:<orgId>`` and ``aud``
``webhookId:<webhook id>``, verifiable with the public key the Desk host publishes at
``/.well-known/jwks.json``. The key pair is made when the sandbox starts."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

JWT_HEADER = "X-ZDesk-JWT"
JWKS_PATH = "/.well-known/jwks.json"
LIFETIME = 300
"""Seconds a delivery's token is good for."""
KEY_ID = "zdesk-sandbox-1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _number(value: int) -> str:
    return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))


class DeliverySigner:
    """Signs deliveries with a key pair of its own and publishes the public half."""

    def __init__(self, org_id: str):
        self.org_id = org_id
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def token(self, webhook_id: str, now: float | None = None) -> str:
        """The JWT of one delivery to webhook ``webhook_id``."""
        issued = int(now if now is not None else time.time())
        header = {"alg": "RS256", "typ": "JWT", "kid": KEY_ID}
        claims = {"iss": f"orgId:{self.org_id}", "aud": f"webhookId:{webhook_id}",
                  "iat": issued, "exp": issued + LIFETIME}
        signing_input = ".".join(_b64(json.dumps(part, separators=(",", ":")).encode())
                                 for part in (header, claims))
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"

    def jwks(self) -> dict[str, Any]:
        """The public key as a JSON Web Key Set."""
        numbers = self._key.public_key().public_numbers()
        return {"keys": [{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KEY_ID,
                          "n": _number(numbers.n), "e": _number(numbers.e)}]}

    def route(self) -> Route:
        """``GET /.well-known/jwks.json``."""

        async def keys(request: Request) -> Response:
            return JSONResponse(self.jwks())

        return Route(JWKS_PATH, keys, methods=["GET"])
