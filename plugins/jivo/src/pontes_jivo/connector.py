"""The ``jivo`` connector: a live chat that pushes its events and offers nothing to call.

Jivo's Webhooks API is one-way: Jivo posts to us, and the documented reply to
``chat_accepted``/``chat_updated`` is the only way back. There are no credentials and
no endpoint to ask whether they work, so ``check`` can only prove that the settings are
complete and consistent, and says so.

What a Jivo connection needs is one channel's webhooks and how to read its phone numbers.
Jivo's Webhooks API pushes events to a URL configured per channel and documents no
credentials, header or signature: the secret is the unguessable token in our own hook URL
(``/hooks/<integration>/<secret>``), which belongs to the integration, not to this
connection. So a Jivo connection holds no secret at all.
"""

from __future__ import annotations

from typing import Literal

import phonenumbers
from pontes.plugin import ConfigError, Connection, ConnectionSettings, ConnectorKit
from pydantic import ValidationError, field_validator

from .client import build_client


class JivoSettings(ConnectionSettings):
    """One Jivo channel whose webhooks a pontes integration receives.

    - ``widget_id``: the channel id as Jivo writes it in every webhook body
      (``"widget_id": "51234"``). When set, events of any other channel are refused when
      loaded, so a hook URL pasted into the wrong channel cannot feed the CRM.
    - ``phone_region``: the ISO 3166 region used to read phone numbers typed without a
      country code (``(11) 98765-4321`` is a Brazilian number with the default ``BR``).
    - ``base_url``: only used to point the client at a sandbox.
    """

    plugin: Literal["jivo"] = "jivo"
    widget_id: str | None = None
    phone_region: str = "BR"

    @field_validator("widget_id")
    @classmethod
    def _widget_id_not_blank(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value:
            raise ValueError("widget_id is blank; leave it out to accept every channel")
        return value

    @field_validator("phone_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"phone_region {value!r} is not an ISO 3166 region phonenumbers knows")
        return region

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url {value!r} must start with http:// or https://")
        return value


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


def webhook_setup(events: tuple[str, ...], url: str) -> str:
    """The steps that make a Jivo channel post its events to ``url``.

    Jivo has no API to register a webhook: each channel takes one URL in its settings,
    named here as Jivo's webhook documentation names the screens. ``events`` (pontes'
    names) are not shown: Jivo has no choice of events, it sends them all."""
    return "\n".join([
        "In JivoChat: Manage -> Channels -> the channel's Settings -> "
        "Integration settings for developers:",
        "  turn Webhooks on and set the Webhooks URL to",
        f"  {url}",
        "  Save. Jivo sends every event of the channel there; the ones the integration "
        "does not use are kept as ignored.",
    ])


kit = ConnectorKit(
    name="jivo",
    title="JivoChat",
    roles=("chat",),
    settings=JivoSettings,
    client=build_client,
    check=check,
    docs_url="https://www.jivo.ru/docs/webhooks/",
    webhook_setup=webhook_setup,
)
"""The ``jivo`` connector, on which the plugin's other modules declare what they add."""
