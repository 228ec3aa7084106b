"""Connections to sandboxes, with the sandbox's own credentials or deliberately wrong ones."""

from __future__ import annotations

import itertools
from typing import Any

from pydantic import BaseModel, SecretStr

from ..connection import Connection
from ..connector import ConnectionSettings, Connector, Sandbox
from ..registry import Registry

WRONG_SECRET = "wrong-credential-for-tests"

_serial = itertools.count(1)


def unique_name(connector: str) -> str:
    """A connection name no other test uses (``movidesk-3``), so each gets its own rate budget."""
    return f"{connector}-{next(_serial)}"


def connector_of(registry: Registry, name: str) -> Connector:
    """The registered connector ``name``; ``LookupError`` listing the known ones if absent."""
    connector = registry.connectors.get(name)
    if connector is None:
        known = ", ".join(sorted(registry.connectors)) or "none"
        raise LookupError(f"no connector {name!r} is registered; registered: {known}")
    return connector


def sandbox_of(registry: Registry, name: str) -> Sandbox:
    """The sandbox of connector ``name``; ``LookupError`` if it has none."""
    sandbox = registry.sandboxes.get(name)
    if sandbox is None:
        known = ", ".join(sorted(registry.sandboxes)) or "none"
        raise LookupError(f"connector {name!r} registers no sandbox; sandboxes: {known}")
    return sandbox


def sandbox_settings(registry: Registry, name: str, base_url: str,
                     **overrides: Any) -> ConnectionSettings:
    """The settings of a connection to connector ``name``'s sandbox served at ``base_url``.

    Built from ``Sandbox.settings(base_url)`` plus ``overrides`` and validated with the
    connector's settings model, so a sandbox whose settings do not fit fails here.
    """
    raw = {"plugin": name, **sandbox_of(registry, name).settings(base_url), **overrides}
    return connector_of(registry, name).settings.model_validate(raw)


def connect(registry: Registry, name: str, settings: ConnectionSettings,
            connection_name: str | None = None) -> Connection:
    """A ``Connection`` to connector ``name`` with ``settings`` (named after the connector)."""
    return registry.connect(connection_name or name, name, settings)


def secret_fields(settings: BaseModel) -> list[str]:
    """The dotted names of the ``SecretStr`` fields that are set, nested models included."""
    found = []
    for field_name in type(settings).model_fields:
        value = getattr(settings, field_name)
        if isinstance(value, SecretStr):
            found.append(field_name)
        elif isinstance(value, BaseModel):
            found += [f"{field_name}.{inner}" for inner in secret_fields(value)]
    return found


def with_wrong_secrets(settings: BaseModel) -> Any:
    """A copy of ``settings`` with every ``SecretStr`` value replaced by a wrong one."""
    changes: dict[str, Any] = {}
    for field_name in type(settings).model_fields:
        value = getattr(settings, field_name)
        if isinstance(value, SecretStr):
            changes[field_name] = SecretStr(WRONG_SECRET)
        elif isinstance(value, BaseModel) and secret_fields(value):
            changes[field_name] = with_wrong_secrets(value)
    return settings.model_copy(update=changes)
