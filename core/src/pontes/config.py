"""The operator's configuration: one YAML file, validated by pydantic.

```yaml
store: sqlite:///pontes.db            # or postgresql+psycopg://...; beside this file
public_url: http://127.0.0.1:8000     # base of the webhook URLs that are printed
secret_key_file: .pontes-secret-key   # the installation key; beside this file by default
log_format: text                      # or json, for log shippers
plugins: [movidesk, ploomes]          # optional; default: all installed
retention: 30d                        # optional: delete finished events after 30 days
data_dir: pontes-data                 # optional: working files (exports); beside the store
connections:
  movidesk: {plugin: movidesk, token: "${MOVIDESK_TOKEN}"}
integrations:
  support-history:
    recipe: ticket_history
    helpdesk: movidesk                # connections by role
    crm: ploomes
    options: {create_clients: true}
    mapping: {}
```

``${NAME}`` is replaced by the environment variable ``NAME`` (``${NAME:-default}`` gives
a default); a missing variable is an error naming the key path. Every error names the
file, the key path and what was expected; an unknown key gets the closest allowed key and
the list of them (``pontes.suggest``). Checks that need the plugins (connection settings,
recipes, roles, capabilities, mappings) happen in ``pontes.runtime``.

Relative paths (a ``sqlite:///`` store, ``secret_key_file``) are relative to the
directory of the configuration file, never to the directory a command runs in
(``pontes.paths``).
"""

from __future__ import annotations

import os
import re
import types
from datetime import timedelta
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from .durations import parse_duration
from .errors import ConfigError
from .paths import DEFAULT_KEY_FILE, resolve_against, resolve_store_url
from .suggest import hint

_ENV_PATTERN = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


class ConnectionConfig(BaseModel):
    """One connection: ``plugin`` names the connector; the other keys are its settings,
    checked against the connector's settings model when the plugins are loaded."""

    model_config = ConfigDict(extra="allow")

    plugin: str = Field(min_length=1)

    def settings(self) -> dict[str, Any]:
        """All keys of the entry, as the connector's settings model reads them."""
        return {"plugin": self.plugin, **(self.model_extra or {})}


class IntegrationConfig(BaseModel):
    """One integration: a recipe, the connection playing each of its roles, options, mapping.

    Roles are given as extra keys (``helpdesk: movidesk``). ``secrets`` optionally fixes
    the webhook URL token per role; otherwise it is derived from the installation key
    (``pontes.webhook_tokens``).
    ``poll`` turns on the roles' polling triggers, which reconcile webhooks that never
    arrived: they report every change, so pair them with the recipe's own filters (for
    ``ticket_history``, ``statuses``). ``poll_interval`` (seconds) overrides the trigger's
    own interval; mind the vendor's rate limit.
    """

    model_config = ConfigDict(extra="allow")

    recipe: str
    options: dict[str, Any] = Field(default_factory=dict)
    mapping: dict[str, Any] = Field(default_factory=dict)
    secrets: dict[str, SecretStr] = Field(default_factory=dict)
    max_attempts: int = Field(default=8, ge=1, le=100)
    enabled: bool = True
    poll: bool = False
    poll_interval: float | None = Field(default=None, gt=0)

    @property
    def roles(self) -> dict[str, str]:
        """Role name -> connection name, from the extra keys."""
        return dict(self.model_extra or {})

    @field_validator("mapping", mode="before")
    @classmethod
    def _mapping_is_dict(cls, value: Any) -> Any:
        return {} if value is None else value


class Config(BaseModel):
    """The whole configuration file."""

    model_config = ConfigDict(extra="forbid")

    store: str = "sqlite:///pontes.db"
    public_url: str = "http://127.0.0.1:8000"
    secret_key_file: str | None = None
    log_format: Literal["text", "json"] | None = None
    plugins: list[str] | None = None
    connections: dict[str, ConnectionConfig] = Field(default_factory=dict)
    integrations: dict[str, IntegrationConfig] = Field(default_factory=dict)
    retention: timedelta | None = None
    data_dir: str | None = None
    """The pontes data directory (dlt's working files of exports), relative to this file;
    default ``pontes-data`` beside a SQLite store (``pontes.export.places``)."""
    source: str = Field(default="<memory>", exclude=True)
    directory: Path | None = Field(default=None, exclude=True)

    @field_validator("retention", mode="before")
    @classmethod
    def _retention_is_a_duration(cls, value: Any) -> Any:
        """``retention: 30d``: how long finished events are kept (``pontes.store.retention``)."""
        if value is None or isinstance(value, timedelta):
            return value
        try:
            return parse_duration(value)
        except ValueError as exc:
            raise PydanticCustomError("value_error", "{reason}", {"reason": str(exc)}) from None

    @field_validator("connections", "integrations")
    @classmethod
    def _names_are_simple(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not re.match(_NAME_PATTERN, name):
                raise ValueError(
                    f"name {name!r} must start with a letter or digit and use only "
                    "letters, digits, '.', '_' and '-'"
                )
        return value

    def error(self, path: str, message: str) -> ConfigError:
        """A ``ConfigError`` about ``path`` in this file."""
        return ConfigError(f"{self.source}: {path}: {message}")

    @property
    def key_file(self) -> Path:
        """Where the installation key is kept: ``secret_key_file``, else
        ``.pontes-secret-key``, relative to the configuration file's directory."""
        return resolve_against(self.secret_key_file or DEFAULT_KEY_FILE, self.directory)


def config_keys(model: type[BaseModel]) -> list[str]:
    """The keys an operator may write in ``model``'s section (internal fields left out)."""
    return [field.alias or name for name, field in model.model_fields.items()
            if not field.exclude]


def substitute_env(value: Any, path: str = "", environ: dict[str, str] | None = None) -> Any:
    """Replace ``${NAME}`` and ``${NAME:-default}`` in every string of a parsed YAML tree."""
    env = os.environ if environ is None else environ
    if isinstance(value, dict):
        return {k: substitute_env(v, _join(path, str(k)), env) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute_env(v, _join(path, str(i)), env) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise ConfigError(f"{path}: environment variable {name} is not set")

    return _ENV_PATTERN.sub(replace, value)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def format_validation_error(source: str, error: ValidationError, prefix: str = "",
                            model: type[BaseModel] | None = None,
                            allowed_label: str = "allowed keys") -> ConfigError:
    """One readable ``ConfigError`` from a pydantic error: file, key path, what was expected.

    With the ``model`` that was validated, an unknown key is followed by the closest
    allowed key and the list of them (under ``allowed_label``)."""
    lines = []
    for item in error.errors():
        path = ".".join(str(p) for p in (*([prefix] if prefix else []), *item["loc"]))
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown key"
            section = _model_at(model, item["loc"][:-1]) if model else None
            if section is not None and item["loc"]:
                message += "; " + hint(str(item["loc"][-1]), config_keys(section),
                                       allowed_label)
        elif item["type"] == "missing":
            message = "required key is missing"
        elif "input" in item and item["type"] not in ("value_error",):
            message = f"{message} (got {_short(item['input'])})"
        lines.append(f"{source}: {path or '<top>'}: {message}")
    return ConfigError("\n".join(lines))


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model of the section at ``loc`` inside ``model`` (through dicts and lists)."""
    current: Any = model
    for part in loc:
        current = _without_none(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return None
            current = field.annotation
        elif get_origin(current) in (dict, list):
            current = get_args(current)[-1]
        else:
            return None
    current = _without_none(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        return kept[0] if len(kept) == 1 else annotation
    return annotation


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_config(data: Any, source: str = "<memory>",
                 environ: dict[str, str] | None = None,
                 directory: Path | None = None) -> Config:
    """Validate an already-parsed configuration tree; relative paths in it are taken
    against ``directory`` (the file's), or the working directory without one."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top, got {type(data).__name__}")
    try:
        data = substitute_env(data, environ=environ)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    internal = sorted(set(data) & (set(Config.model_fields) - set(config_keys(Config))))
    if internal:
        raise ConfigError(f"{source}: {internal[0]}: unknown key; "
                          + hint(internal[0], config_keys(Config), "allowed keys"))
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise format_validation_error(source, exc, model=Config) from None
    config.source = source
    config.directory = directory
    if directory is not None:
        config.store = resolve_store_url(config.store, directory)
    return config


def load_config(path: str | Path, environ: dict[str, str] | None = None) -> Config:
    """Read, substitute and validate a configuration file; relative paths in it are taken
    against the file's directory."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}") from None
    return parse_config(data, str(path), environ, directory=path.resolve().parent)
