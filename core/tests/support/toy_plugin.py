"""A small plugin for core tests: a helpdesk "toydesk" and a CRM "toycrm", kept in memory.

Enough of the contract to build runtimes, run recipes and check configurations without a
vendor: settings with a secret, webhook triggers, the actions recipes ask for.
"""

from __future__ import annotations

from pontes import hookimpl
from pontes.connector import Action, ConnectionSettings, Connector, WebhookTrigger
from pontes.errors import AuthError, InvalidPayload
from pontes.models import Contact, Event, Interaction, Ticket
from pydantic import SecretStr


class DeskSettings(ConnectionSettings):
    token: SecretStr
    team: str = "Support"


class CrmSettings(ConnectionSettings):
    api_key: SecretStr


def no_client(name, settings):
    raise RuntimeError("toy connectors keep their data in memory")


async def check(connection):
    secret = getattr(connection.settings, "token", None) or connection.settings.api_key
    if secret.get_secret_value() == "wrong":
        raise AuthError("invalid credentials", status=401)


def parse_ticket(request):
    data = request.data
    if not isinstance(data, dict) or "id" not in data:
        raise InvalidPayload("no ticket id in the body")
    return [Event(type="ticket.changed", connection=request.connection,
                  idempotency_key=f"{data['id']}:{data.get('status')}",
                  entity_key=f"ticket:{data['id']}", record_id=str(data["id"]), payload=data)]


async def load_ticket(connection, event):
    return Ticket(number=event.record_id, subject=event.payload.get("subject"),
                  refs={connection.name: event.record_id},
                  requester=Contact(emails=[event.payload.get("email", "ana@example.com")]))


PEOPLE: dict[str, Contact] = {}
HISTORY: list[Interaction] = []


async def find_by_email(connection, params):
    return PEOPLE.get(params.email)


async def create_interaction(connection, record):
    HISTORY.append(record)
    return record.model_copy(update={"refs": {connection.name: str(len(HISTORY))}})


@hookimpl
def register_connectors():
    return [Connector("toydesk", "Toy Desk", ("helpdesk",), DeskSettings, no_client, check),
            Connector("toycrm", "Toy CRM", ("crm",), CrmSettings, no_client, check)]


@hookimpl
def register_triggers():
    return [WebhookTrigger("toydesk", "ticket-webhook", ("ticket.changed",), parse_ticket,
                           load_ticket)]


@hookimpl
def register_actions():
    return [Action("toycrm", "contact.find_by_email", find_by_email),
            Action("toycrm", "interaction.create", create_interaction)]
