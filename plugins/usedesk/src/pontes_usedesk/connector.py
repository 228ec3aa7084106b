"""The Usedesk connector: a connection's settings, its credential check, the steps that
point Usedesk at pontes, and the kit every other module declares its contributions on."""

from __future__ import annotations

from typing import Literal

import phonenumbers
from pontes.plugin import (
    AuthError,
    Connection,
    ConnectionSettings,
    ConnectorKit,
    VendorValidationError,
)
from pydantic import Field, SecretStr, field_validator

from .client import CHANNELS, DEFAULT_BASE_URL, build_client, call

DOCS_URL = "https://api.usedocs.com/article/51376"
DEFAULT_REQUESTS_PER_MINUTE = 150
"""The limit Usedesk's API pages give for the ticket list (150 calls a minute)."""


class UsedeskSettings(ConnectionSettings):
    """One Usedesk account, reached through an API channel.

    - ``api_token``: the token of the API channel (Settings -> Channels -> API), sent as
      the ``api_token`` parameter of every call;
    - ``base_url``: the API's address; on-premise installations have their own;
    - ``webhook_channel_token``: the token of the API channel whose "Redirect URL" posts
      to pontes, when it is not the channel of ``api_token``. Every delivery carries its
      channel's token as ``secret``; one that does not match is refused;
    - ``block_secret``: the secret key of the dynamic block that posts to pontes, when
      one is set in the block (a block delivery must then carry it);
    - ``channel_id``: the channel tickets opened through pontes belong to (by default
      Usedesk's choice, the API channel);
    - ``agent_id``: the agent (user id) who writes the replies and notes pontes adds, and
      who changes a ticket's status; by default the API channel itself;
    - ``phone_region``: the ISO 3166 region of phone numbers written without a country
      code;
    - ``requests_per_minute``: the client's budget.
    """

    plugin: Literal["usedesk"] = "usedesk"
    api_token: SecretStr
    base_url: str = DEFAULT_BASE_URL
    webhook_channel_token: SecretStr | None = None
    block_secret: SecretStr | None = None
    channel_id: int | None = None
    agent_id: int | None = None
    phone_region: str = "RU"
    requests_per_minute: int = Field(DEFAULT_REQUESTS_PER_MINUTE, gt=0)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"base_url {value!r} must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("phone_region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        region = value.strip().upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"phone_region {value!r} is not an ISO 3166 region")
        return region

    def webhook_token(self) -> SecretStr:
        """The token webhook deliveries must carry as ``secret``."""
        return self.webhook_channel_token or self.api_token


async def check(connection: Connection) -> None:
    """List the account's channels, the cheapest call there is; ``AuthError`` when Usedesk
    refuses the token.

    Usedesk may answer a refused token with HTTP 200 and an ``error`` body, which the
    client raises as ``VendorValidationError``: for a call whose only input is the token,
    that is a refused credential too.
    """
    try:
        await call(connection, CHANNELS)
    except VendorValidationError as error:
        raise AuthError(error.message, status=error.status, url=error.url) from None


def webhook_setup(events: tuple[str, ...], url: str) -> str:
    """The steps that make Usedesk post to ``url``: the API channel's "Redirect URL" for
    ticket events, a dynamic block for ``ticket.card_opened``. Usedesk's API cannot set
    either up."""
    steps = []
    if set(events) - {"ticket.card_opened"}:
        steps += [
            "In Usedesk: Settings -> Channels -> your API channel:",
            f"  Redirect URL: {url}",
            "  Tick the events to send: new ticket, new comment, ticket changed, rating (CSI).",
            '  "JSON request" may be on or off: pontes reads both.',
            "  Save.",
        ]
    if "ticket.card_opened" in events:
        steps += [
            "In Usedesk: Settings -> Blocks -> Add dynamic block:",
            "  Name and Title: what agents see above the block; Content: leave empty;",
            f"  URL: {url}",
            "  Parameters: language (en, es, pt or ru); a secret key if you set block_secret;",
            "  Enabled: on. Save.",
        ]
    return "\n".join(steps)


kit = ConnectorKit(
    name="usedesk",
    title="Usedesk",
    roles=("helpdesk",),
    settings=UsedeskSettings,
    client=build_client,
    check=check,
    docs_url=DOCS_URL,
    webhook_setup=webhook_setup,
    automations=("request.posted",),
)
"""The connector this plugin registers; the other modules declare their parts on it."""
