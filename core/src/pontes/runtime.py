"""A configuration brought to life: connections, integrations and their webhook URLs.

``Runtime.build(config)`` loads the enabled plugins and checks everything that needs them,
with the key path of each problem: every connection's settings against its connector's
model; every integration's recipe, roles, capabilities, options and mappings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from . import PROJECT_NAME
from .config import (
    Config,
    ConnectionConfig,
    IntegrationConfig,
    config_keys,
    format_validation_error,
)
from .connection import Connection
from .errors import ConfigError
from .keys import installation_key
from .plugins import LoadedPlugins, load_plugins
from .recipes import Integration, Recipe
from .suggest import closest, hint, unknown_name
from .webhook_tokens import request_token, webhook_token

if TYPE_CHECKING:
    from .http import CallObserver, RateBudgets


@dataclass(frozen=True)
class HookUrl:
    """A webhook URL to paste into a vendor: which integration, role and trigger it feeds."""

    integration: str
    role: str
    connection: str
    trigger: str
    events: tuple[str, ...]
    url: str


@dataclass(frozen=True)
class RequestUrl:
    """The URL an integration's automation requests go to (``pontes.recipes.requests``):
    which integration, and the role and connection whose automation sends them."""

    integration: str
    role: str
    connection: str
    url: str


@dataclass
class Runtime:
    """Everything a server, a worker or a CLI command needs from one configuration.

    Its connections share ``budgets``, the rate-limit buckets of their vendor clients (two
    clients of one connection draw on one budget; another runtime has budgets of its own),
    and ``call_observers``, told of every vendor call (the engine's metrics add one).
    Without ``budgets`` the runtime makes ``pontes.http.InProcessRateBudgets``.
    """

    config: Config
    plugins: LoadedPlugins
    connections: dict[str, Connection]
    integrations: dict[str, Integration]
    budgets: RateBudgets | None = None
    call_observers: list[CallObserver] = field(default_factory=list)
    key: bytes | None = None

    def __post_init__(self) -> None:
        if self.budgets is None:
            from .http import InProcessRateBudgets  # the plugins have loaded httpx already

            self.budgets = InProcessRateBudgets()
        for connection in self.connections.values():
            connection.budgets = self.budgets
            connection.call_observers = self.call_observers
        for integration in self.integrations.values():
            integration.public_url = self.config.public_url.rstrip("/")

    @property
    def registry(self):
        return self.plugins.registry

    @classmethod
    def build(cls, config: Config, plugins: LoadedPlugins | None = None,
              key: bytes | None = None, budgets: RateBudgets | None = None) -> Runtime:
        """Load plugins (unless given) and check the configuration against them.

        ``budgets`` holds the connections' rate budgets (default: in this process only;
        servers and workers pass ``pontes.store.StoreRateBudgets`` to share them).
        ``key`` is the installation key (default: the configuration's, read only when an
        integration needs it for its webhook URLs)."""
        plugins = plugins or load_plugins(config.plugins)
        connections = _connections(config, plugins)
        if key is None and config.integrations:
            key = installation_key(config.key_file)
        integrations = {name: _integration(config, plugins, connections, name, entry, key)
                        for name, entry in config.integrations.items()}
        return cls(config, plugins, connections, integrations, budgets, key=key)

    def hook_urls(self) -> list[HookUrl]:
        """One entry per webhook to paste into a vendor."""
        base = self.config.public_url.rstrip("/")
        urls = []
        for integration in self.integrations.values():
            for role in integration.trigger_roles():
                token = integration.webhook_tokens[role]
                for trigger in integration.webhook_triggers(role):
                    urls.append(HookUrl(integration.name, role, integration.connections[role].name,
                                        trigger.name, trigger.events,
                                        f"{base}/hooks/{integration.name}/{token}"))
        return urls

    def request_urls(self) -> list[RequestUrl]:
        """One entry per integration whose recipe takes requests from an automation."""
        base = self.config.public_url.rstrip("/")
        return [RequestUrl(integration.name, integration.recipe.request.role,
                           integration.connections[integration.recipe.request.role].name,
                           f"{base}/requests/{integration.name}/{integration.request_token}")
                for integration in self.integrations.values()
                if integration.recipe.request is not None and integration.request_token]

    def resolve_hook(self, integration_name: str, token: str) -> tuple[Integration, str] | None:
        """The integration and role a webhook URL belongs to, or ``None`` (unknown or wrong)."""
        integration = self.integrations.get(integration_name)
        if integration is None or not integration.config.enabled:
            return None
        role = integration.role_for_token(token)
        return (integration, role) if role else None

    async def aclose(self) -> None:
        """Close every connection's HTTP client."""
        for connection in self.connections.values():
            await connection.aclose()


def _connections(config: Config, plugins: LoadedPlugins) -> dict[str, Connection]:
    """Every connection of ``config``; the problems of all of them are reported at once
    (each connector that is not installed, each bad setting)."""
    connections, problems = {}, []
    for name, entry in config.connections.items():
        try:
            connections[name] = _connection(config, plugins, name, entry)
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("\n".join(problems))
    return connections


def _connection(config: Config, plugins: LoadedPlugins, name: str,
                entry: ConnectionConfig) -> Connection:
    where = f"connections.{name}"
    connector = plugins.registry.connectors.get(entry.plugin)
    if connector is None:
        raise config.error(f"{where}.plugin", _unknown_connector(entry.plugin, plugins))
    try:
        settings = connector.settings.model_validate(entry.settings())
    except ValidationError as exc:
        raise format_validation_error(config.source, exc, prefix=where,
                                      model=connector.settings) from None
    return plugins.registry.connect(name, entry.plugin, settings)


def _unknown_connector(name: str, plugins: LoadedPlugins) -> str:
    """What to say about a connector no enabled plugin provides: the closest one, the
    ones there are, and the distribution to install when it is not a typo."""
    known = sorted(plugins.registry.connectors)
    message = unknown_name("connector", name, known, "expected one of")
    if closest(name, known) is None:
        message += f"; if it is a plugin, install it: pip install {PROJECT_NAME}-{name}"
    return message


def _integration(config: Config, plugins: LoadedPlugins, connections: dict[str, Connection],
                 name: str, entry: IntegrationConfig, key: bytes) -> Integration:
    where = f"integrations.{name}"
    recipe = plugins.registry.recipes.get(entry.recipe)
    if recipe is None:
        raise config.error(f"{where}.recipe", unknown_name(
            "recipe", entry.recipe, plugins.registry.recipes, "expected one of"))
    roles = _roles(config, where, recipe, entry, connections)
    try:
        options = recipe.options.model_validate(entry.options)
    except ValidationError as exc:
        raise format_validation_error(config.source, exc, prefix=f"{where}.options",
                                      model=recipe.options,
                                      allowed_label=f"options of recipe {recipe.name!r}"
                                      ) from None
    mappings = _mappings(config, plugins, where, recipe, entry)
    tokens = {role: (entry.secrets[role].get_secret_value() if role in entry.secrets
                     else webhook_token(key, name, role))
              for role, spec in recipe.roles.items() if spec.triggers}
    unknown_token_roles = set(entry.secrets) - set(tokens)
    if unknown_token_roles:
        raise config.error(f"{where}.secrets", f"no role {sorted(unknown_token_roles)[0]!r} "
                           f"takes webhooks; expected one of: {', '.join(sorted(tokens))}")
    return Integration(name, recipe, entry, roles, options, mappings, tokens,
                       request_token(key, name) if recipe.request is not None else None)


def _roles(config: Config, where: str, recipe: Recipe, entry: IntegrationConfig,
           connections: dict[str, Connection]) -> dict[str, Connection]:
    given = entry.roles
    for role in given:
        if role not in recipe.roles:
            keys = [*config_keys(IntegrationConfig), *recipe.roles]
            raise config.error(f"{where}.{role}", "unknown key (neither a setting nor a role "
                               f"of recipe {recipe.name!r}); "
                               + hint(role, keys, "allowed keys"))
    chosen = {}
    for role, spec in recipe.roles.items():
        if role not in given:
            raise config.error(f"{where}.{role}", f"required key is missing: the connection "
                               f"playing the {role!r} role of recipe {recipe.name!r}")
        connection = connections.get(str(given[role]))
        if connection is None:
            known = ", ".join(sorted(connections)) or "none"
            raise config.error(f"{where}.{role}", f"unknown connection {given[role]!r}; "
                               f"expected one of: {known}")
        missing = [c for c in spec.requires if not connection.has(c)]
        if missing:
            raise config.error(f"{where}.{role}", f"connection {connection.name!r} "
                               f"({connection.connector.title}) cannot do "
                               f"{', '.join(missing)}, which recipe {recipe.name!r} needs")
        if spec.triggers and not any(connection.has(t) for t in spec.triggers):
            raise config.error(f"{where}.{role}", f"connection {connection.name!r} "
                               f"({connection.connector.title}) sends none of the events "
                               f"{', '.join(spec.triggers)}")
        chosen[role] = connection
    return chosen


def _mappings(config: Config, plugins: LoadedPlugins, where: str, recipe: Recipe,
              entry: IntegrationConfig) -> dict[str, Any]:
    from .mapping import compile_mapping

    for slot in entry.mapping:
        if slot not in recipe.mappings:
            raise config.error(f"{where}.mapping.{slot}",
                               f"recipe {recipe.name!r} has no mapping {slot!r}; expected one "
                               f"of: {', '.join(recipe.mappings) or 'none'}")
    compiled = {}
    for slot, spec in recipe.mappings.items():
        given = entry.mapping.get(slot) or {}
        if not isinstance(given, dict):
            raise config.error(f"{where}.mapping.{slot}", "expected a mapping of target field "
                               "to source (a path, or {from: path, transform: name})")
        compiled[slot] = compile_mapping(
            {**spec.default, **given}, source_model=spec.source, target_model=spec.target,
            transforms=plugins.registry.transforms,
            where=f"{config.source}: {where}.mapping.{slot}",
        )
    return compiled
