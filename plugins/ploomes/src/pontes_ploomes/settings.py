"""The configuration of one Ploomes connection."""

from __future__ import annotations

from typing import Literal

from pontes.connector import ConnectionSettings
from pydantic import Field, SecretStr

DEFAULT_BASE_URL = "https://public-api2.ploomes.com"
DEFAULT_REQUESTS_PER_MINUTE = 120


class PloomesSettings(ConnectionSettings):
    """One Ploomes account, reached with the API key of one of its users.

    - ``user_key``: the user's API key (sent as the ``User-Key`` header);
    - ``base_url``: the account's API host (Ploomes shards accounts across hosts);
    - ``requests_per_minute``: the budget per key (Ploomes answers 429 beyond it);
    - ``default_pipeline_id`` / ``default_stage_id``: where deals go when a recipe names
      neither (without them Ploomes picks the first stage of its first active pipeline);
    - ``interaction_type_id``: the ``TypeId`` written on new interaction records;
    - ``webhook_validation_key``: the ``ValidationKey`` sent when registering webhooks
      (a random one per webhook when unset);
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
    timeout_seconds: float = Field(30.0, gt=0)
