"""The configuration of one Movidesk connection (an entry under ``connections:``)."""

from __future__ import annotations

from typing import Literal

from pontes.connector import ConnectionSettings
from pydantic import Field, SecretStr

DEFAULT_BASE_URL = "https://api.movidesk.com/public/v1"
VENDOR_REQUESTS_PER_MINUTE = 10
"""Movidesk's published budget for every public API, per token."""


class MovideskSettings(ConnectionSettings):
    """Credentials and ticket defaults of a Movidesk account.

    - ``token``: the API key from *Configurações → Conta → Parâmetros* (sent as the
      ``token`` query parameter; generating a new key invalidates the old one);
    - ``requests_per_minute``: the client's budget; Movidesk allows 10 unless support
      raised it for the account;
    - ``ticket_type``: 1 internal, 2 public, for tickets opened through pontes;
    - ``agent_id``: the person id (Cód. Ref.) of the integration agent, written as
      ``createdBy`` of tickets and replies; when unset the requester is the author;
    - ``custom_field_rule_id``: the display rule under which ticket custom fields are
      written (Movidesk needs one per value; there is no API to discover it);
    - ``default_team``: the team (``ownerTeam``) sent with an owner that has none;
    - ``page_size``: rows per list call (Movidesk returns at most 100);
    - ``poll_lookback_hours``: how far back the first poll looks;
    - ``poll_overlap_seconds``: how far before the cursor each poll starts again,
      because changed tickets can take minutes to reach Movidesk's search.
    """

    token: SecretStr
    base_url: str | None = DEFAULT_BASE_URL
    requests_per_minute: int = Field(default=VENDOR_REQUESTS_PER_MINUTE, ge=1)
    ticket_type: Literal[1, 2] = 2
    agent_id: str | None = None
    custom_field_rule_id: int | None = None
    default_team: str | None = None
    page_size: int = Field(default=100, ge=1, le=1000)
    poll_lookback_hours: float = Field(default=24.0, ge=0)
    poll_overlap_seconds: float = Field(default=300.0, ge=0)
