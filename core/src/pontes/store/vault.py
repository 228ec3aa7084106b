"""The vault: connection credentials and OAuth tokens, encrypted at rest.

Values are JSON objects encrypted with Fernet (AES-128-CBC with an HMAC-SHA256 tag) under
a key derived from the installation key (``pontes.keys``, ``PONTES_SECRET_KEY``). A
database dump holds only ciphertext; a store opened with another installation key cannot
read the values and says so, instead of returning garbage. (The credentials' table keeps
its first name, ``secrets``.)
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Connection, Engine, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import ConfigError
from ..keys import derive_key, installation_key
from .database import reading
from .schema import oauth_tokens, secrets, utcnow

_PURPOSE = "pontes:store-encryption:v1"


def fernet_for(key: bytes) -> Fernet:
    """The vault's Fernet cipher for the installation key ``key``."""
    return Fernet(base64.urlsafe_b64encode(derive_key(key, _PURPOSE)))


@dataclass(frozen=True)
class OAuthToken:
    """A stored OAuth token set: the decrypted values and when the access token expires."""

    values: dict[str, Any]
    expires_at: datetime | None
    updated_at: datetime


class Vault:
    """Encrypted per-connection credentials (table ``secrets``) and OAuth tokens
    (``oauth_tokens``)."""

    def __init__(self, engine: Engine, key: bytes | None = None):
        self.engine = engine
        self._key = key
        self._fernet: Fernet | None = None

    @property
    def fernet(self) -> Fernet:
        """The cipher, made from the installation key when first needed."""
        if self._fernet is None:
            self._fernet = fernet_for(self._key if self._key is not None else installation_key())
        return self._fernet

    def _seal(self, values: dict[str, Any]) -> bytes:
        return self.fernet.encrypt(json.dumps(values, separators=(",", ":")).encode())

    def _open(self, table: str, connection: str, blob: bytes) -> dict[str, Any]:
        try:
            return json.loads(self.fernet.decrypt(blob))
        except InvalidToken:
            raise ConfigError(
                f"{table} of connection {connection!r} cannot be decrypted: the store was "
                "written with another PONTES_SECRET_KEY"
            ) from None

    def _put(self, table: Table, connection: str, values: dict[str, Any],
             **columns: Any) -> None:
        row = {"blob": self._seal(values), "updated_at": utcnow(), **columns}
        with self.engine.begin() as conn:
            _upsert(conn, table, connection, row)

    def save_credentials(self, connection: str, values: dict[str, Any]) -> None:
        """Store (replace) the credentials of ``connection``."""
        self._put(secrets, connection, values)

    def load_credentials(self, connection: str) -> dict[str, Any] | None:
        """The credentials of ``connection``, or ``None`` when none are stored."""
        with reading(self.engine) as conn:
            blob = conn.execute(select(secrets.c.blob)
                                .where(secrets.c.connection == connection)).scalar()
        return None if blob is None else self._open("credentials", connection, blob)

    def save_token(self, connection: str, values: dict[str, Any],
                   expires_at: datetime | None = None) -> None:
        """Store (replace) the OAuth tokens of ``connection``."""
        self._put(oauth_tokens, connection, values, expires_at=expires_at)

    def load_token(self, connection: str) -> OAuthToken | None:
        """The OAuth tokens of ``connection``, or ``None`` when none are stored."""
        with reading(self.engine) as conn:
            row = conn.execute(select(oauth_tokens)
                               .where(oauth_tokens.c.connection == connection)).first()
        if row is None:
            return None
        return OAuthToken(self._open("oauth token", connection, row.blob), row.expires_at,
                          row.updated_at)

    @contextmanager
    def locked_token(self, connection: str) -> Iterator[TokenSlot]:
        """The OAuth tokens of ``connection``, locked until the block ends: in one
        transaction that holds the row (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite
        the transaction's write lock), so one process at a time reads and replaces them. What
        the block ``save``s is committed when it ends without an error."""
        with self.engine.begin() as conn:
            row = conn.execute(select(oauth_tokens)
                               .where(oauth_tokens.c.connection == connection)
                               .with_for_update()).first()
            token = None if row is None else OAuthToken(
                self._open("oauth token", connection, row.blob), row.expires_at, row.updated_at)
            yield TokenSlot(self, conn, connection, token)

    def all_tokens(self) -> dict[str, OAuthToken]:
        """The OAuth tokens of every connection that has some, by connection name."""
        with reading(self.engine) as conn:
            rows = conn.execute(select(oauth_tokens)).all()
        return {row.connection: OAuthToken(self._open("oauth token", row.connection, row.blob),
                                           row.expires_at, row.updated_at) for row in rows}

    def forget(self, connection: str) -> None:
        """Delete the credentials and tokens of ``connection``."""
        with self.engine.begin() as conn:
            for table in (secrets, oauth_tokens):
                conn.execute(table.delete().where(table.c.connection == connection))


class TokenSlot:
    """A connection's OAuth token row, locked by ``Vault.locked_token``."""

    def __init__(self, vault: Vault, conn: Connection, connection: str,
                 token: OAuthToken | None):
        self._vault = vault
        self._conn = conn
        self.connection = connection
        self.token = token
        """The stored tokens as read under the lock (``None`` when there are none)."""

    def save(self, values: dict[str, Any], expires_at: datetime | None = None) -> None:
        """Replace the tokens; committed with the lock's transaction."""
        row = {"blob": self._vault._seal(values), "updated_at": utcnow(),
               "expires_at": expires_at}
        _upsert(self._conn, oauth_tokens, self.connection, row)
        self.token = OAuthToken(values, expires_at, row["updated_at"])


def _upsert(conn: Connection, table: Table, connection: str, row: dict[str, Any]) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(connection=connection, **row)
    conn.execute(statement.on_conflict_do_update(index_elements=["connection"], set_=row))
