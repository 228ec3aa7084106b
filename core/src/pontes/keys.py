"""The installation key, and the keys and tokens derived from it.

The installation key comes from ``PONTES_SECRET_KEY``; without it, from a file readable
only by its owner: ``PONTES_SECRET_KEY_FILE``, else the configuration's
``secret_key_file``, else ``.pontes-secret-key`` beside the configuration file (a
relative path is taken against the configuration file's directory). The file is created
by ``pontes init`` or by the first ``pontes serve``, which say where; every other command
that needs the key and finds none stops with a message saying so, rather than making a
new key, which would change every webhook URL and leave stored credentials unreadable.

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

from .errors import ConfigError
from .paths import DEFAULT_KEY_FILE

KEY_ENV = "PONTES_SECRET_KEY"
KEY_FILE_ENV = "PONTES_SECRET_KEY_FILE"


def key_file_location(key_file: str | Path | None = None) -> Path:
    """Where the key file is: ``PONTES_SECRET_KEY_FILE``, else ``key_file`` (a
    configuration's ``Config.key_file``), else ``.pontes-secret-key`` here."""
    return Path(os.environ.get(KEY_FILE_ENV) or key_file or DEFAULT_KEY_FILE)


def installation_key(key_file: str | Path | None = None) -> bytes:
    """The installation key, from ``PONTES_SECRET_KEY`` or the key file
    (``key_file_location``). A missing file is a ``ConfigError`` saying how to create
    one: a key is never made here."""
    value = os.environ.get(KEY_ENV)
    if value:
        return value.encode()
    path = key_file_location(key_file)
    try:
        key = path.read_bytes().strip()
    except FileNotFoundError:
        raise ConfigError(f"no installation key: {path} does not exist; `pontes init` "
                          f"creates it (or set {KEY_ENV}). Copy the file of the running "
                          "installation here rather than making a new one: a new key "
                          "changes every webhook URL") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the installation key {path}: {exc.strerror}") from None
    if not key:
        raise ConfigError(f"the installation key file {path} is empty")
    return key


def create_installation_key(key_file: str | Path | None = None) -> Path | None:
    """Create the key file (``key_file_location``) with a new random key, readable only
    by its owner; return its path, or ``None`` when a key exists already (in the
    environment or the file), which is left as it is."""
    if os.environ.get(KEY_ENV):
        return None
    path = key_file_location(key_file)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return None
    with os.fdopen(fd, "wb") as handle:
        handle.write(secrets.token_urlsafe(32).encode())
    return path


def derive_key(key: bytes, purpose: str) -> bytes:
    """32 bytes for ``purpose`` alone, derived from ``key``."""
    return hmac.new(key, purpose.encode(), hashlib.sha256).digest()


def derive_token(key: bytes, purpose: str, length: int = 24) -> str:
    """A stable URL-safe token for ``purpose`` (``length`` bytes, in base64), from ``key``."""
    return base64.urlsafe_b64encode(derive_key(key, purpose)[:length]).decode().rstrip("=")


def tokens_equal(given: str, expected: str) -> bool:
    """Compare two tokens in constant time."""
    return hmac.compare_digest(given.encode(), expected.encode())
