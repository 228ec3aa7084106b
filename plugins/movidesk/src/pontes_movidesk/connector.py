"""The Movidesk connector: a connection's settings, its credential check, the manual
webhook set-up, and the kit every other module declares its contributions on."""

from __future__ import annotations

from typing import Literal

from pontes.plugin import Connection, ConnectionSettings, ConnectorKit
from pydantic import Field, SecretStr

from .client import DEFAULT_BASE_URL, TICKETS, build_client, list_rows

VENDOR_REQUESTS_PER_MINUTE = 10
"""Movidesk's published budget for every public API, per token."""

MAX_PAGE_SIZE = 100
"""The most rows Movidesk returns in one list call."""

ACTION_EVENTS = ("ticket.replied", "ticket.commented")
"""The Tickets tab's signals that need a trigger firing on every change."""

FINISHING_STATUSES = ("Resolvido", "Fechado")
"""The statuses the manual webhook set-up suggests sending tickets on."""

STATUS_NAMES = {"new": "Novo", "open": "Em atendimento", "pending": "Aguardando",
                "on_hold": "Aguardando", "solved": "Resolvido", "closed": "Fechado",
                "canceled": "Cancelado"}
"""A canonical status -> the status a new Movidesk account names for it."""

STATUS_JUSTIFICATIONS = {"Aguardando": "Retorno do cliente",
                         "Cancelado": "Desistência do cliente"}
"""The justification sent with each status of a new account that needs one."""


class MovideskSettings(ConnectionSettings):
    """Credentials and ticket defaults of a Movidesk account.

    - ``token``: the API key from *Configurações → Conta → Parâmetros* (sent as the
      ``token`` query parameter; generating a new key invalidates the old one);
    - ``requests_per_minute``: the client's budget; Movidesk allows 10 unless support
      raised it for the account;
    - ``rate_window_seconds``: the window that budget is counted over, Movidesk's minute
      (a sandbox built with a shorter ``minute`` needs the same value here);
    - ``ticket_type``: 1 internal, 2 public, for tickets opened through pontes;
    - ``agent_id``: the person id (Cód. Ref.) of the integration agent, written as
      ``createdBy`` of tickets and replies; when unset the requester is the author;
    - ``custom_field_rule_id``: the display rule under which ticket custom fields are
      written (Movidesk needs one per value; there is no API to discover it);
    - ``default_team``: the team (``ownerTeam``) sent with an owner that has none;
    - ``page_size``: rows per list call, at most 100 (Movidesk's ceiling; a list
      pages until an empty page, so a vendor answering fewer rows loses nothing);
    - ``export_action_html``: whether an export reads each action's HTML from
      ``/tickets/htmldescription`` (one call per action exported, at the same 10 calls a
      minute); off, ``movidesk_tickets__actions.htmldescription`` holds only what ticket
      reads carry, which is mostly nothing;
    - ``poll_lookback_hours``: how far back the first poll looks;
    - ``poll_overlap_seconds``: how far before the cursor each poll starts again,
      because changed tickets can take minutes to reach Movidesk's search;
    - ``status_names``: the account's status name for each canonical status, written by
      ``ticket.set_status`` (Movidesk's statuses are the account's own names; the
      defaults are a new Portuguese account's);
    - ``status_justifications``: the justification sent with a status that needs one.
    """

    token: SecretStr
    base_url: str | None = DEFAULT_BASE_URL
    requests_per_minute: int = Field(default=VENDOR_REQUESTS_PER_MINUTE, ge=1)
    rate_window_seconds: float = Field(default=60.0, gt=0)
    ticket_type: Literal[1, 2] = 2
    agent_id: str | None = None
    custom_field_rule_id: int | None = None
    default_team: str | None = None
    page_size: int = Field(default=MAX_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    export_action_html: bool = True
    poll_lookback_hours: float = Field(default=24.0, ge=0)
    poll_overlap_seconds: float = Field(default=300.0, ge=0)
    status_names: dict[str, str] = Field(default_factory=lambda: dict(STATUS_NAMES))
    status_justifications: dict[str, str] = Field(
        default_factory=lambda: dict(STATUS_JUSTIFICATIONS))


async def check(connection: Connection) -> None:
    """Prove the token works with the cheapest call there is (one ticket id).

    A refused token raises ``AuthError``, which is left to propagate.
    """
    await list_rows(connection.client, TICKETS, select=("id",), top=1)


def webhook_setup(events: tuple[str, ...], url: str) -> str:
    """The steps that make Movidesk post a ticket to ``url``: when its status changes,
    or, for the Tickets tab's signals (replies and comments among ``events``), whenever
    a ticket is created or changed.

    Movidesk's API cannot create triggers ("Gatilhos"); its "call webhook" action is set
    up in the UI. These are the steps, in the screen's own words, as the Ploomes
    integration article describes them.
    """
    if set(events) & set(ACTION_EVENTS):
        moment = ('  Condições: the trigger runs whenever a ticket is created or changed '
                  '(no condition on its fields), so new tickets, replies and comments reach '
                  'pontes')
    else:
        statuses = " or ".join(f'"{s}"' for s in FINISHING_STATUSES)
        moment = ('  Condições > Condições combinadas: se "Ticket: Status" "Alterado para" '
                  f'{statuses} (one condition per status, or the moment you want tickets '
                  'sent)')
    return "\n".join([
        "In Movidesk: Configurações -> Gatilhos -> new trigger:",
        '  Principal > Nome: "pontes" (any name)',
        moment,
        f'  Ações: "Acionar Webhook" with the URL {url}',
        "  Save.",
    ])


kit = ConnectorKit(
    name="movidesk",
    title="Movidesk",
    roles=("helpdesk",),
    settings=MovideskSettings,
    client=build_client,
    check=check,
    docs_url="https://atendimento.movidesk.com/kb/article/256/movidesk-ticket-api",
    webhook_setup=webhook_setup,
)
