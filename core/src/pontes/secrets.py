"""The installation's secret key: the root of webhook secrets and of encryption at rest.

It comes from ``PONTES_SECRET_KEY``; without it, a random key is created once in a file
(``PONTES_SECRET_KEY_FILE``, default ``.pontes-secret-key`` in the working directory,
readable only by its owner), so a development install works out of the box and keeps its
webhook URLs across restarts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_ENV = "PONTES_SECRET_KEY"
KEY_FILE_ENV = "PONTES_SECRET_KEY_FILE"
DEFAULT_KEY_FILE = ".pontes-secret-key"


def secret_key() -> bytes:
    """The installation's secret key (from the environment, else from the key file)."""
    value = os.environ.get(KEY_ENV)
    if value:
        return value.encode()
    path = Path(os.environ.get(KEY_FILE_ENV, DEFAULT_KEY_FILE))
    if path.exists():
        return path.read_bytes().strip()
    key = secrets.token_urlsafe(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def derive(key: bytes, purpose: str, length: int = 24) -> str:
    """A stable URL-safe secret for ``purpose`` (an integration and role), from ``key``."""
    digest = hmac.new(key, purpose.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:length]).decode().rstrip("=")


def same(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(a.encode(), b.encode())
