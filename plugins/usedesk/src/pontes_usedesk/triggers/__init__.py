"""What Usedesk posts to pontes: the API channel's deliveries (``api_channel``) and the
dynamic block's requests when a ticket is opened (``ticket_card``)."""

from . import api_channel, ticket_card  # noqa: F401 (each declares its trigger on the kit)
