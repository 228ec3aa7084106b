"""The Ploomes connector: its settings, credential check and kit.

``kit`` names the connector once; ``actions``, ``triggers``, ``mappers`` and ``sandbox``
declare their parts on it.
"""

from __future__ import annotations

from typing import Literal

from pontes.plugin import Connection, ConnectionSettings, ConnectorKit
from pydantic import Field, SecretStr

from .client import DEFAULT_BASE_URL, Query, build_client

DEFAULT_REQUESTS_PER_MINUTE = 120


class PloomesSettings(ConnectionSettings):
    """One Ploomes account, reached with the API key of one of its users.

    - ``user_key``: the user's API key (sent as the ``User-Key`` header);
    - ``base_url``: the account's API host (Ploomes shards accounts across hosts);
    - ``requests_per_minute``: the budget per key (Ploomes answers 429 beyond it);
    - ``default_pipeline_id`` / ``default_stage_id``: where deals go when a recipe names
      neither (without them Ploomes picks the first stage of its first active pipeline);
    - ``interaction_type_id``: the ``TypeId`` written on new interaction records;
    - ``webhook_validation_key``: the ``ValidationKey`` given to the webhooks pontes
      registers, which every delivery must then carry (unset: a random one per webhook,
      and deliveries are not checked);
    - ``deal_marker_field``: the ``FieldKey`` of a deal text field where new deals carry
      their pontes marker, so that a run cut short finds the deal it created instead of
      creating another (``deal.find_created`` needs it);
    - ``contact_marker_field``: the same for persons and companies: the ``FieldKey`` of a
      contact text field (``contact.find_created`` and ``company.find_created`` need it);
    - ``timeout_seconds``: how long one call may take.
    """

    plugin: Literal["ploomes"] = "ploomes"
    user_key: SecretStr
    base_url: str | None = DEFAULT_BASE_URL
    requests_per_minute: int = Field(DEFAULT_REQUESTS_PER_MINUTE, gt=0)
    default_pipeline_id: int | None = None
    default_stage_id: int | None = None
    interaction_type_id: int = 1
    webhook_validation_key: SecretStr | None = None
    deal_marker_field: str | None = None
    contact_marker_field: str | None = None
    timeout_seconds: float = Field(30.0, gt=0)


async def check(connection: Connection) -> None:
    """Read the account (``GET /Account?$top=1&$select=Id``); ``AuthError`` on a bad key."""
    await connection.client.get_json("/Account", params=Query(select=("Id",), top=1).params())


kit = ConnectorKit(
    name="ploomes",
    title="Ploomes",
    roles=("crm",),
    settings=PloomesSettings,
    client=build_client,
    check=check,
)
"""The Ploomes connector and everything this plugin declares for it."""
