"""The ``jivo`` connector: a live chat that pushes its events and offers nothing to call.

Jivo's Webhooks API is one-way: Jivo posts to us, and the documented reply to
``chat_accepted``/``chat_updated`` is the only way back. There are no credentials and
no endpoint to ask whether they work, so ``check`` can only prove that the settings are
complete and consistent, and says so.
"""

from __future__ import annotations

from pontes.connection import Connection
from pontes.connector import ConnectionSettings, Connector
from pontes.errors import ConfigError
from pontes.http import VendorClient
from pydantic import ValidationError

from .settings import JIVO_SITE_URL, JivoSettings

CONNECTOR = "jivo"


def client(connection: str, settings: ConnectionSettings) -> VendorClient:
    """A client on ``base_url`` (a sandbox) or Jivo's site; no plugin code calls Jivo."""
    return VendorClient(connection=connection, base_url=settings.base_url or JIVO_SITE_URL)


async def check(connection: Connection) -> None:
    """Prove the connection's settings are complete and valid (``ConfigError`` otherwise).

    Jivo's webhooks carry no credentials and Jivo has no API to reach, so nothing is
    called: the settings are validated again as a ``JivoSettings`` (a widget id that is
    not blank, a phone region phonenumbers knows, an http(s) ``base_url``).
    """
    try:
        JivoSettings.model_validate(connection.settings.model_dump())
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = ".".join(str(p) for p in problem["loc"]) or "settings"
        raise ConfigError(
            f"connection {connection.name!r}: {field}: {problem['msg']}") from None


def jivo_connector() -> Connector:
    """The registered ``jivo`` connector."""
    return Connector(
        name=CONNECTOR,
        title="JivoChat",
        roles=("chat",),
        settings=JivoSettings,
        client=client,
        check=check,
        docs_url="https://www.jivo.ru/docs/webhooks/",
    )
