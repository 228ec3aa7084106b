"""The installation key, and the keys and tokens derived from it.

The installation key comes from ``PONTES_SECRET_KEY``; without it, a random key is created
once in a file (``PONTES_SECRET_KEY_FILE``, default ``.pontes-secret-key`` in the working
directory, readable only by its owner), so a development install works out of the box and
keeps its webhook URLs across restarts.

Nothing uses the installation key directly. Each use derives its own value for one
purpose (HMAC-SHA256 of the purpose under the installation key), so knowing one reveals
neither the installation key nor another:

- webhook URL tokens (``pontes.webhook_tokens``);
- action tokens (``pontes.server.auth``);
- the key that encrypts stored credentials (``pontes.store.vault``);
- the key that names vendor budgets in the store (``pontes.store.budgets``).
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


def installation_key() -> bytes:
    """The installation key (from the environment, else from the key file)."""
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


def derive_key(key: bytes, purpose: str) -> bytes:
    """32 bytes for ``purpose`` alone, derived from ``key``."""
    return hmac.new(key, purpose.encode(), hashlib.sha256).digest()


def derive_token(key: bytes, purpose: str, length: int = 24) -> str:
    """A stable URL-safe token for ``purpose`` (``length`` bytes, in base64), from ``key``."""
    return base64.urlsafe_b64encode(derive_key(key, purpose)[:length]).decode().rstrip("=")


def tokens_equal(given: str, expected: str) -> bool:
    """Compare two tokens in constant time."""
    return hmac.compare_digest(given.encode(), expected.encode())
