"""What Usedesk does for a recipe: tickets (get, list, open, reply or note, set a status,
the fields a new one takes) and clients (get, find by e-mail or phone, create, update)."""

from . import clients, ticket_fields, tickets  # noqa: F401 (each declares its actions on the kit)
