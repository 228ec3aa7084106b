"""The secrets of the connections an integration uses, masked in what the engine keeps.

A vendor may send a secret back: Ploomes posts the webhook's ``ValidationKey`` in the body
of its deliveries, and error messages echo credentials. The store keeps every delivery
and every failure, so each passes through ``redactor_for`` first: the connections' secrets
are masked in every spelling (``pontes.http.Redactor``) before they are stored, shown or
logged.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, SecretBytes, SecretStr

from ..connection import Connection
from ..http import Redactor


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


def redactor_for(connections: Iterable[Connection], extra: Iterable[str] = ()) -> Redactor:
    """The ``Redactor`` of every secret of ``connections`` and of ``extra`` secrets (ones a
    delivery carries, see ``WebhookTrigger.secrets``), built once per set of secrets."""
    return _redactor(tuple(sorted(set(secret_values(connections)) | set(extra))))


@functools.lru_cache(maxsize=256)
def _redactor(secrets: tuple[str, ...]) -> Redactor:
    return Redactor(secrets)


def masked_body(body: bytes | None, connections: Iterable[Connection],
                extra: Iterable[str] = ()) -> bytes | None:
    """``body`` with every secret of ``connections`` (and ``extra``) masked.

    A body that is not UTF-8 is read as Latin-1, which gives every byte back unchanged
    where no secret was found.
    """
    if not body:
        return body
    redactor = redactor_for(connections, extra)
    try:
        return redactor.text(body.decode("utf-8")).encode("utf-8")
    except UnicodeDecodeError:
        return redactor.text(body.decode("latin-1")).encode("latin-1")


def masked_headers(headers: Mapping[str, str], connections: Iterable[Connection],
                   extra: Iterable[str] = ()) -> dict[str, str]:
    """A copy of ``headers`` with every secret of ``connections`` (and ``extra``) masked in
    their values."""
    redactor = redactor_for(connections, extra)
    return {name: redactor.text(value) for name, value in headers.items()}


def masked_data(value: Any, connections: Iterable[Connection],
                extra: Iterable[str] = ()) -> Any:
    """A copy of JSON-like ``value`` with every secret of ``connections`` (and ``extra``)
    masked in its texts (an event's payload may copy a delivery's body, secrets included)."""
    return _masked(value, redactor_for(connections, extra))


def _masked(value: Any, redactor: Redactor) -> Any:
    if isinstance(value, str):
        return redactor.text(value)
    if isinstance(value, dict):
        return {key: _masked(item, redactor) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item, redactor) for item in value]
    return value
