"""Where an export writes by default: the DuckDB file and dlt's working directory.

- ``--to`` left out, or given as the bare word ``duckdb``: ``<connection>.duckdb`` in the
  configuration file's directory, wherever the command runs from.
- dlt's working files (load packages waiting to be loaded, the local copy of the state)
  go under the pontes data directory, ``<data directory>/dlt``. The data directory is
  ``$PONTES_DATA_DIR`` when set, else the configuration's ``data_dir``, else
  ``pontes-data`` beside a SQLite store's file, else ``pontes-data`` beside the
  configuration file (a PostgreSQL store has no file). Relative paths are taken against
  the configuration file's directory.
  ``--work-dir`` overrides the working directory itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url

DATA_DIR_ENV = "PONTES_DATA_DIR"
DATA_DIR_NAME = "pontes-data"
DUCKDB_WORD = "duckdb"


def default_duckdb_file(connection: str, config_dir: Path) -> Path:
    """The DuckDB file a connection exports to when ``--to`` names no file."""
    return config_dir / f"{connection}.duckdb"


def destination_text(given: str | None, connection: str, config_dir: Path) -> str:
    """``--to`` as written, or the connection's DuckDB file when it names none."""
    if given is None or given.strip().lower() == DUCKDB_WORD:
        return str(default_duckdb_file(connection, config_dir))
    return given


def data_directory(store_url: str, config_dir: Path, configured: str | None = None,
                   environ: Mapping[str, str] | None = None) -> Path:
    """The pontes data directory (see the module docstring); ``configured`` is the
    configuration's ``data_dir``."""
    environ = os.environ if environ is None else environ
    if environ.get(DATA_DIR_ENV):
        return _against(Path(environ[DATA_DIR_ENV]), config_dir)
    if configured:
        return _against(Path(configured), config_dir)
    store_file = _sqlite_file(store_url)
    if store_file is not None:
        return _against(store_file, config_dir).parent / DATA_DIR_NAME
    return config_dir / DATA_DIR_NAME


def dlt_work_dir(store_url: str, config_dir: Path, configured: str | None = None,
                 environ: Mapping[str, str] | None = None) -> Path:
    """dlt's working directory inside the pontes data directory."""
    return data_directory(store_url, config_dir, configured, environ) / "dlt"


def _against(path: Path, directory: Path) -> Path:
    path = path.expanduser()
    return path if path.is_absolute() else directory / path


def _sqlite_file(url: str) -> Path | None:
    try:
        parsed = make_url(url)
    except Exception:
        return None
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:"):
        return None
    return Path(database)
