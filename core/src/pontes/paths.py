"""Paths written in a configuration file, taken against the file's own directory.

A command run from another directory (``pontes hooks -c ../pontes.yaml``) must find the
same store and the same installation key as the server started beside the file;
otherwise it would print other webhook URLs or read an empty database.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from .errors import ConfigError

DEFAULT_KEY_FILE = ".pontes-secret-key"


def resolve_against(path: str | Path, directory: Path | None) -> Path:
    """``path`` made absolute against ``directory`` (the working directory when ``None``);
    ``~`` is expanded and an absolute path is kept."""
    given = Path(path).expanduser()
    if given.is_absolute():
        return given
    return (directory or Path.cwd()) / given


def resolve_store_url(url: str, directory: Path) -> str:
    """A ``sqlite:///relative.db`` URL with its file made absolute against ``directory``;
    any other URL (PostgreSQL, in-memory SQLite, an absolute path) is returned unchanged.
    A URL that cannot be parsed is returned as it is, for the store to report."""
    database = sqlite_file(url)
    if database is None:
        return url
    absolute = resolve_against(database, directory)
    if absolute == database:
        return url
    return make_url(url).set(database=str(absolute)).render_as_string(hide_password=False)


def sqlite_file(url: str) -> Path | None:
    """The file of a ``sqlite:///`` URL, or ``None`` for any other store or for memory."""
    try:
        parsed = make_url(url)
    except Exception:
        return None
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def require_existing_store(store: str, source: str) -> None:
    """Raise a ``ConfigError`` (about the ``store`` key of the file ``source``) when the
    store is a SQLite file that does not exist: commands that only read must not create
    an empty database and report nothing in it."""
    path = sqlite_file(store)
    if path is not None and not path.exists():
        raise ConfigError(f"{source}: store: no database at {path}; `pontes init` or "
                          "`pontes serve` creates it")
