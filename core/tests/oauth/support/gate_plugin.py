"""A test plugin whose vendor (``oauth_vendor``) signs in with OAuth2: connector ``gate``.

- settings: ``base_url``, ``client_id``, ``client_secret``, ``redirect_uri`` (optional),
  ``long_lived_token`` (optional: when given, OAuth is bypassed and it is sent as is),
  ``refresh_token`` (optional: a refresh token to start from instead of a login);
- action ``gate.note`` (``POST /api/notes``);
- webhook trigger ``gate.hook``: a JSON body ``{"id": ..., "text": ...}`` is a
  ``ticket.changed`` event;
- recipe ``gate_note``: each event becomes a note at the target connection.
"""

from __future__ import annotations

from typing import Any

from pontes import hookimpl
from pontes.plugin import (
    ConnectionSettings,
    ConnectorKit,
    Event,
    InvalidPayload,
    OAuth2,
    VendorClient,
)
from pontes.recipes import Recipe, RoleSpec
from pydantic import BaseModel, SecretStr


class GateSettings(ConnectionSettings):
    """A connection to the test vendor."""

    base_url: str
    client_id: str
    client_secret: SecretStr
    redirect_uri: str | None = None
    long_lived_token: SecretStr | None = None
    refresh_token: SecretStr | None = None


def build_client(name: str, settings: GateSettings) -> VendorClient:
    """The vendor client; a long-lived token is sent as a bearer token."""
    headers = {}
    if settings.long_lived_token is not None:
        headers["Authorization"] = f"Bearer {settings.long_lived_token.get_secret_value()}"
    return VendorClient(connection=name, base_url=settings.base_url, headers=headers)


async def check(connection) -> None:
    """Ask the vendor who the token belongs to."""
    await connection.client.get_json("/api/me")


kit = ConnectorKit(
    name="gate", title="Gate", roles=("crm",), settings=GateSettings, client=build_client,
    check=check,
    oauth=OAuth2(authorize_url=lambda s: f"{s.base_url}/authorize",
                 token_url=lambda s: f"{s.base_url}/token", scopes=("notes",),
                 refresh_token_setting="refresh_token",
                 enabled=lambda s: s.long_lived_token is None),
)


class NoteInput(BaseModel):
    """A note's text and the key of the event it comes from."""

    key: str
    text: str


@kit.action("gate.note", input=NoteInput, output=dict)
async def note(connection, params: NoteInput) -> dict[str, Any]:
    """Write a note."""
    return await connection.client.post_json("/api/notes", json=params.model_dump())


async def load(connection, event: Event):
    """Events carry everything; nothing to load."""
    raise NotImplementedError


@kit.webhook_trigger("gate.hook", events=("ticket.changed",), load=load)
def parse(request) -> list[Event]:
    """``{"id": ..., "text": ...}`` becomes one ``ticket.changed`` event."""
    data = request.data
    if not isinstance(data, dict) or not data.get("id"):
        raise InvalidPayload("expected an object with 'id'")
    return [Event(type="ticket.changed", connection=request.connection,
                  idempotency_key=f"gate:{data['id']}", entity_key=f"gate:{data['id']}",
                  record_id=str(data["id"]), payload=dict(data))]


async def write_note(ctx, event: Event) -> str:
    """Write the event's text as a note at the target."""
    written = await ctx.role("target").call("gate.note", key=event.idempotency_key,
                                             text=str(event.payload.get("text", "")))
    return f"note {written['id']}"


@hookimpl
def register_connectors():
    return kit.connectors()


@hookimpl
def register_actions():
    return kit.actions()


@hookimpl
def register_triggers():
    return kit.triggers()


@hookimpl
def register_recipes():
    return [Recipe("gate_note", "Events become notes",
                   {"source": RoleSpec(triggers=("ticket.changed",)),
                    "target": RoleSpec(requires=("gate.note",))}, write_note)]
