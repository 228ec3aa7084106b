"""Explaining a failure in one line that is safe to store, show and log.

Vendor errors already carry the vendor's own words with credentials masked
(``pontes.http``); anything else is described by its type and text, and every secret of
the connections involved is masked as well.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, SecretBytes, SecretStr

from ..connection import Connection
from ..errors import PontesError
from ..http import Redactor

MAX_MESSAGE = 2000


def secret_values(connections: Iterable[Connection]) -> list[str]:
    """Every ``SecretStr`` / ``SecretBytes`` value in the settings of ``connections``."""
    found: list[str] = []
    for connection in connections:
        _collect(connection.settings, found)
    return found


def _collect(value, found: list[str]) -> None:
    if isinstance(value, SecretStr):
        found.append(value.get_secret_value())
    elif isinstance(value, SecretBytes):
        found.append(value.get_secret_value().decode("utf-8", "replace"))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _collect(getattr(value, name), found)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, found)


def explain_failure(error: BaseException, connections: Iterable[Connection] = ()) -> str:
    """A one-line message for ``error`` with the connections' secrets masked."""
    text = str(error).strip()
    if not isinstance(error, PontesError) or not text:
        text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    text = Redactor(secret_values(connections)).text(text)
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 3] + "..."
