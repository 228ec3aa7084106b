"""Where an export goes: a DuckDB file (the default) or a PostgreSQL database.

``parse_destination(text)`` accepts:

- a plain path (``exports/movidesk.duckdb``) or ``duckdb:///relative/path.duckdb`` or
  ``duckdb:////absolute/path.duckdb`` (SQLAlchemy's convention): a DuckDB file;
- ``postgresql://user:password@host:5432/database`` (also ``postgres://`` and
  ``postgresql+psycopg://``): a PostgreSQL database.

The password is a secret: ``Destination.describe()`` masks it, and it is never part of an
error message.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from .errors import ExportError

_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg2")


@dataclass(frozen=True)
class Destination:
    """A parsed destination: ``kind`` and ``location`` (a file path or a database URL)."""

    kind: Literal["duckdb", "postgres"]
    location: str

    def describe(self) -> str:
        """The destination for people and logs, with any password masked."""
        if self.kind == "duckdb":
            return f"duckdb file {self.location}"
        parts = urlsplit(self.location)
        netloc = parts.netloc
        if parts.password is not None:
            user = parts.username or ""
            host = netloc.rsplit("@", 1)[1]
            netloc = f"{user}:***@{host}"
        return urlunsplit(parts._replace(netloc=netloc))

    def fingerprint(self) -> str:
        """A short stable id of where the data goes (credentials left out)."""
        if self.kind == "duckdb":
            place = str(Path(self.location).resolve())
        else:
            parts = urlsplit(self.location)
            place = f"{parts.hostname}:{parts.port or 5432}{parts.path}"
        return hashlib.sha1(f"{self.kind}:{place}".encode()).hexdigest()[:10]

    def file_format(self) -> str:
        """The file format dlt loads with: Parquet into DuckDB (read by DuckDB itself, in
        constant memory, where one large INSERT statement per table is parsed whole first),
        INSERT statements into PostgreSQL (dlt's default there)."""
        return "parquet" if self.kind == "duckdb" else "insert_values"

    def dlt_destination(self) -> Any:
        """The dlt destination object for this place."""
        import dlt

        if self.kind == "duckdb":
            Path(self.location).parent.mkdir(parents=True, exist_ok=True)
            return dlt.destinations.duckdb(str(Path(self.location).resolve()))
        from dlt.destinations.impl.postgres.configuration import PostgresCredentials

        parts = urlsplit(self.location)
        credentials = PostgresCredentials(urlunsplit(parts._replace(scheme="postgresql")))
        if credentials.password is None:
            credentials.password = ""  # trust or peer authentication: dlt insists on a value
        return dlt.destinations.postgres(credentials)


def parse_destination(text: str) -> Destination:
    """Read ``--to``; ``ExportError`` for anything that is neither DuckDB nor PostgreSQL."""
    text = (text or "").strip()
    if not text:
        raise ExportError("--to: give a DuckDB file path or a postgresql:// URL")
    if "://" not in text:
        return Destination("duckdb", text)
    scheme, _, rest = text.partition("://")
    scheme = scheme.lower()
    if scheme == "duckdb":
        path = rest[1:] if rest.startswith("/") else rest
        if not path:
            raise ExportError("--to: duckdb:///<path> needs a file path")
        return Destination("duckdb", path)
    if scheme in _POSTGRES_SCHEMES:
        parts = urlsplit(text)
        if not parts.hostname or not parts.path.strip("/"):
            safe = Destination("postgres", text).describe()
            raise ExportError(f"--to: {safe}: a PostgreSQL URL needs a host and a database "
                              "(postgresql://user:password@host:5432/database)")
        return Destination("postgres", text)
    raise ExportError(f"--to: unsupported destination scheme {scheme!r}; use a DuckDB path, "
                      "duckdb:///<path> or postgresql://...")
