"""Usedesk comments (a ticket's messages and internal notes) as canonical messages and
interactions, and back.

A comment is ``{id, ticket_id, message (HTML), type: "public" | "private", from: "client" |
"user" | "trigger", user_id, client_id, published_at, ...}``: ``from`` says who wrote it
(the client, an agent, an automation), ``type`` whether the client sees it.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import (
    Direction,
    Interaction,
    InteractionKind,
    Message,
    Ticket,
    html_to_text,
    text_to_html,
)

from ..values import id_text, moment, text

PUBLIC = "public"
PRIVATE = "private"


def comment_direction(raw: dict[str, Any]) -> Direction:
    """Internal for a private note, inbound from the client, outbound otherwise."""
    if raw.get("type") == PRIVATE:
        return Direction.internal
    return Direction.inbound if raw.get("from") == "client" else Direction.outbound


def comment_author(raw: dict[str, Any]) -> str:
    """Who wrote a comment: the client's name, ``client <id>``, ``agent <id>`` or
    ``automation``."""
    origin = raw.get("from")
    if origin == "client":
        return (text(raw.get("client_name"))
                or f"client {id_text(raw.get('client_id')) or '?'}")
    if origin == "trigger":
        return "automation"
    return f"agent {id_text(raw.get('user_id')) or '?'}"


def comment_message(raw: dict[str, Any]) -> Message:
    """A comment as one message of its ticket."""
    markup = raw.get("message") if isinstance(raw.get("message"), str) else ""
    return Message(
        remote_id=id_text(raw.get("id")),
        author=comment_author(raw),
        direction=comment_direction(raw),
        public=raw.get("type") != PRIVATE,
        text=html_to_text(markup) or None,
        html=markup or None,
        sent_at=moment(raw.get("published_at")),
    )


def comment_to_canonical(raw: dict[str, Any], connection_name: str) -> Interaction:
    """A comment as an interaction of its ticket: a comment the client sees, or a note."""
    markup = raw.get("message") if isinstance(raw.get("message"), str) else ""
    comment_id = id_text(raw.get("id"))
    ticket_id = id_text(raw.get("ticket_id"))
    return Interaction(
        refs={connection_name: comment_id} if comment_id else {},
        kind=InteractionKind.note if raw.get("type") == PRIVATE else InteractionKind.comment,
        content_text=html_to_text(markup) or None,
        content_html=markup or None,
        occurred_at=moment(raw.get("published_at")),
        direction=comment_direction(raw),
        ticket=Ticket(refs={connection_name: ticket_id}) if ticket_id else None,
        remote_data=raw,
    )


def comment_from_canonical(record: Interaction, connection_name: str) -> dict[str, Any]:
    """The parameters of ``/create/comment`` for an interaction: its HTML (or its text as
    HTML), private for a note or an internal one, written by an agent (or as the client,
    for an inbound one)."""
    markup = record.content_html or text_to_html(record.content_text or "")
    private = (record.kind == InteractionKind.note
               or record.direction == Direction.internal)
    params: dict[str, Any] = {
        "message": markup,
        "type": PRIVATE if private else PUBLIC,
        "from": "client" if record.direction == Direction.inbound else "user",
    }
    ticket_id = record.ticket.ref(connection_name) if record.ticket else None
    if ticket_id:
        params["ticket_id"] = ticket_id
    return params
