"""A live connection: one configured account at one vendor, and the way to call it.

Recipes and the server never call a plugin's functions directly; they ask a
``Connection`` for a capability, and the connection checks the input and output against
the capability's models (``pontes.capabilities``).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, TypeAdapter

from .capabilities import canonical_capability
from .connector import (
    Action,
    ConnectionSettings,
    Connector,
    PollingTrigger,
    Stream,
    WebhookTrigger,
)
from .errors import CapabilityError, ConfigError

if TYPE_CHECKING:
    from .http import CallObserver, RateBudgets, VendorClient
    from .oauth.session import OAuthSession


@cache
def _adapter(output: Any) -> TypeAdapter[Any]:
    return TypeAdapter(output)


class Connection:
    """One configured account at a vendor (an entry under ``connections:``).

    ``client`` is the connection's ``VendorClient``, built on first use; ``call`` runs a
    capability.

    ``budgets`` (``pontes.http.RateBudgets``) holds the rate-limit bucket the client takes
    its tokens from, and ``call_observers`` are told of every vendor call the client makes.
    A ``Runtime`` sets both to the ones it shares between its connections before any client
    is built; a connection made on its own keeps private ones.

    ``oauth`` is the connection's ``pontes.oauth.OAuthSession`` when it signs in with
    OAuth (``pontes.oauth.attach_oauth`` gives it); its client then signs every call with
    the stored tokens.
    """

    def __init__(self, name: str, connector: Connector, settings: ConnectionSettings, *,
                 actions: Iterable[Action] = (),
                 triggers: Iterable[WebhookTrigger | PollingTrigger] = (),
                 streams: Iterable[Stream] = ()):
        self.name = name
        self.connector = connector
        self.settings = settings
        self.actions: dict[str, Action] = {action.name: action for action in actions}
        self.triggers: tuple[WebhookTrigger | PollingTrigger, ...] = tuple(triggers)
        self.streams: dict[str, Stream] = {stream.name: stream for stream in streams}
        self._client: VendorClient | None = None
        self.budgets: RateBudgets | None = None
        self.call_observers: list[CallObserver] = []
        self.oauth: OAuthSession | None = None

    def __repr__(self) -> str:
        return f"<Connection {self.name} ({self.connector.name})>"

    @property
    def client(self) -> VendorClient:
        """The vendor HTTP client of this connection, attached to its ``budgets`` and
        ``call_observers``."""
        if self._client is None:
            if self.budgets is None:
                from .http import InProcessRateBudgets  # httpx comes with the client anyway

                self.budgets = InProcessRateBudgets()
            oauth = self.connector.oauth
            if self.oauth is None and oauth is not None and oauth.enabled(self.settings):
                raise ConfigError(f"connections.{self.name}: signs in with OAuth, and its "
                                  "tokens are in the store, which this use of the connection "
                                  "was not given")
            client = self.connector.client(self.name, self.settings)
            if self.oauth is not None:
                from .oauth.auth import OAuthAuth

                client.authenticate(OAuthAuth(self.oauth, client.redactor))
            self._client = client.attach(self.budgets, self.call_observers)
        return self._client

    @property
    def capabilities(self) -> set[str]:
        """Every capability this connection's connector supports: its action names, the
        events its triggers emit and its vendor's automations."""
        names = set(self.actions) | set(self.connector.automations)
        for trigger in self.triggers:
            names.update(trigger.events)
        return names

    def webhook_triggers(self) -> list[WebhookTrigger]:
        """The connector's webhook triggers."""
        return [t for t in self.triggers if isinstance(t, WebhookTrigger)]

    def polling_triggers(self) -> list[PollingTrigger]:
        """The connector's polling triggers."""
        return [t for t in self.triggers if isinstance(t, PollingTrigger)]

    def has(self, capability: str) -> bool:
        """Whether this connection can do ``capability``."""
        return capability in self.capabilities

    def action(self, name: str) -> Action:
        """The plugin action behind ``name``; ``CapabilityError`` when there is none."""
        action = self.actions.get(name)
        if action is None:
            raise CapabilityError(
                f"connection {self.name!r} ({self.connector.title}) cannot do {name!r}; "
                f"it can: {', '.join(sorted(self.capabilities)) or 'nothing'}"
            )
        return action

    async def call(self, name: str, params: Any = None, /, **fields: Any) -> Any:
        """Run the action ``name`` with ``params`` (a model or dict) or keyword fields.

        The input is validated against the action's input model before the plugin sees
        it, and the plugin's answer against the output model before the caller does.
        """
        action = self.action(name)
        capability = canonical_capability(name)
        input_model = capability.input if capability else action.input
        output = capability.output if capability else action.output
        if input_model is not None:
            params = _as_input(input_model, params if params is not None else fields)
        result = await action.handler(self, params)
        if output is not None:
            result = _adapter(output).validate_python(result)
        return result

    async def aclose(self) -> None:
        """Close the HTTP client, if one was opened."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def _as_input(model: type[BaseModel], value: Any) -> BaseModel:
    if isinstance(value, model):
        return value
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_unset=True)
    return model.model_validate(value)
