"""``ConnectorKit``: a connector and everything contributed for it, declared in one place.

A plugin makes one kit per vendor product in its ``connector.py`` and names the connector
there once. Its other modules then declare contributions with the kit's decorators, each
taking its description from the decorated function's docstring::

    kit = ConnectorKit(name="acme", title="Acme", roles=("helpdesk",),
                       settings=AcmeSettings, client=build_client, check=check)

    @kit.action("contact.find_by_email")
    async def contact_find_by_email(connection, params): ...

    @kit.webhook_trigger("webhook", events=("ticket.changed",), load=load_ticket)
    def parse_webhook(request): ...

The plugin's hook implementations return what the kit collected (``kit.actions()``,
``kit.triggers()``, ...), so the kit is only a way of writing the declarations of
``pontes.connector``: core sees the same objects either way.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from .connector import (
    Action,
    ChildTable,
    Column,
    Connector,
    Mapper,
    PollingTrigger,
    Role,
    Sandbox,
    Stream,
    WebhookAck,
    WebhookTrigger,
)
from .models import Record

if TYPE_CHECKING:
    from .oauth import OAuth2

F = TypeVar("F", bound=Callable[..., Any])


def summary(function: Callable[..., Any]) -> str:
    """The first paragraph of ``function``'s docstring on one line (empty without one)."""
    doc = inspect.getdoc(function) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


class ConnectorKit:
    """One connector and the actions, triggers, mappers, streams and sandbox declared for it.

    The constructor takes the fields of ``pontes.connector.Connector``; the decorators
    record contributions in the order they are declared.
    """

    def __init__(self, *, name: str, title: str, roles: tuple[Role, ...],
                 settings: type[Any], client: Callable[..., Any],
                 check: Callable[..., Awaitable[None]], docs_url: str | None = None,
                 webhook_setup: Callable[[tuple[str, ...], str], str] | None = None,
                 oauth: OAuth2 | None = None, automations: tuple[str, ...] = ()):
        self.connector = Connector(name=name, title=title, roles=roles, settings=settings,
                                   client=client, check=check, docs_url=docs_url,
                                   webhook_setup=webhook_setup, oauth=oauth,
                                   automations=automations)
        self._actions: list[Action] = []
        self._triggers: list[WebhookTrigger | PollingTrigger] = []
        self._mappers: list[Mapper] = []
        self._streams: list[Stream] = []
        self._sandboxes: list[Sandbox] = []

    @property
    def name(self) -> str:
        """The connector's name (``plugin:`` in a connection's config)."""
        return self.connector.name

    def __repr__(self) -> str:
        return f"<ConnectorKit {self.name}>"

    # --- declaring ------------------------------------------------------------------------

    def action(self, name: str, *, input: type[BaseModel] | None = None,
               output: Any = None) -> Callable[[F], F]:
        """Declare the decorated ``async def handler(connection, params)`` as action ``name``.

        A canonical capability (``contact.find_by_email``) takes its models from
        ``pontes.capabilities``; a vendor action (``acme.ticket.merge``) gives ``input`` and
        ``output``.
        """

        def declare(handler: F) -> F:
            self._actions.append(Action(self.name, name, handler, input=input, output=output,
                                        description=summary(handler)))
            return handler

        return declare

    def webhook_trigger(self, name: str, *, events: tuple[str, ...],
                        load: Callable[..., Awaitable[Record]],
                        ack: WebhookAck | None = None,
                        reply: Callable[..., Any] | None = None,
                        secrets: Callable[..., Iterable[str]] | None = None
                        ) -> Callable[[F], F]:
        """Declare the decorated ``parse(request) -> list[Event]`` as webhook trigger ``name``.

        ``load(connection, event)`` returns an event's canonical record; ``ack``,
        ``reply`` and ``secrets`` are as on ``pontes.connector.WebhookTrigger``.
        """

        def declare(parse: F) -> F:
            self._triggers.append(WebhookTrigger(
                self.name, name, events, parse, load, ack=ack or WebhookAck(), reply=reply,
                description=summary(parse), secrets=secrets))
            return parse

        return declare

    def polling_trigger(self, name: str, *, events: tuple[str, ...],
                        load: Callable[..., Awaitable[Record]],
                        interval_seconds: float = 300.0) -> Callable[[F], F]:
        """Declare the decorated ``async poll(connection, cursor) -> PollResult`` as polling
        trigger ``name``, run every ``interval_seconds`` unless an integration says otherwise."""

        def declare(poll: F) -> F:
            self._triggers.append(PollingTrigger(
                self.name, name, events, poll, load, interval_seconds=interval_seconds,
                description=summary(poll)))
            return poll

        return declare

    def mapper(self, entity: str, model: type[Record], *,
               to_canonical: Callable[[dict[str, Any], str], Record],
               from_canonical: Callable[[Record, str], dict[str, Any]]) -> Mapper:
        """Declare the translation of the vendor's ``entity`` to ``model`` and back."""
        mapper = Mapper(self.name, entity, model, to_canonical, from_canonical)
        self._mappers.append(mapper)
        return mapper

    def stream(self, name: str, *, primary_key: tuple[str, ...],
               cursor_field: str | None = None,
               children: tuple[str | ChildTable, ...] = (),
               columns: Mapping[str, str | Column] | None = None,
               table: str | None = None, lag: float = 0.0) -> Callable[[F], F]:
        """Declare the decorated ``async def read(connection, cursor)`` generator as export
        stream ``name`` (see ``pontes.connector.Stream`` for the options)."""

        def declare(read: F) -> F:
            self._streams.append(Stream(
                self.name, name, primary_key, read, cursor_field=cursor_field,
                children=children, columns=columns or {}, description=summary(read),
                table=table, lag=lag))
            return read

        return declare

    def sandbox(self, *, app: Callable[..., Any], settings: Callable[..., dict[str, Any]],
                description: str = "") -> Sandbox:
        """Declare the vendor API emulator: ``app(**options)`` builds it and
        ``settings(base_url, **options)`` is a connection's config entry for it."""
        sandbox = Sandbox(self.name, app, settings, description=description or summary(app))
        self._sandboxes.append(sandbox)
        return sandbox

    # --- what the hook implementations return -----------------------------------------

    def connectors(self) -> list[Connector]:
        """``[the connector]``, for ``register_connectors``."""
        return [self.connector]

    def actions(self) -> list[Action]:
        """The declared actions, for ``register_actions``."""
        return list(self._actions)

    def triggers(self) -> list[WebhookTrigger | PollingTrigger]:
        """The declared webhook and polling triggers, for ``register_triggers``."""
        return list(self._triggers)

    def mappers(self) -> list[Mapper]:
        """The declared mappers, for ``register_mappers``."""
        return list(self._mappers)

    def streams(self) -> list[Stream]:
        """The declared export streams, for ``register_streams``."""
        return list(self._streams)

    def sandboxes(self) -> list[Sandbox]:
        """The declared sandbox (at most one), for ``register_sandboxes``."""
        return list(self._sandboxes)
