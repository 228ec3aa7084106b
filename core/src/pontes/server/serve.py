"""Running the server (and the worker) from a configuration file.

``Server.from_config`` loads the configuration and plugins, opens the store (applying
pending migrations, under a lock with PostgreSQL so parallel starts are safe) and builds
the runtime with vendor rate budgets kept in the store, shared by every process.

With SQLite, ``serve`` runs events and polls itself and holds the store file: a second
``pontes serve`` on it refuses to start. With PostgreSQL it also runs a worker unless told
not to (``--no-worker``); ``pontes worker`` runs one without the web side.

Besides the installed plugins, the modules named in ``PONTES_EXTRA_PLUGINS``
(comma-separated, importable from ``PYTHONPATH``) are loaded as plugins: a one-off local
plugin needs no packaging.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

from ..config import load_config
from ..engine import Settings
from ..errors import ConfigError, PluginLoadError
from ..keys import create_installation_key, installation_key
from ..listening import bind, serve_on
from ..logs import configure, configured, use_config_format
from ..oauth.wiring import attach_oauth
from ..plugins import load_plugins
from ..runtime import Runtime
from ..store import Store, StoreRateBudgets
from ..store.ownership import own_sqlite_store
from .app import create_app
from .slow_clients import header_timeout_protocol

EXTRA_PLUGINS_ENV = "PONTES_EXTRA_PLUGINS"

log = logging.getLogger("pontes.server")


def extra_plugins(environ: Mapping[str, str] | None = None) -> list[ModuleType]:
    """The modules named in ``PONTES_EXTRA_PLUGINS``, imported."""
    env = os.environ if environ is None else environ
    names = [n.strip() for n in env.get(EXTRA_PLUGINS_ENV, "").split(",") if n.strip()]
    modules = []
    for name in names:
        try:
            modules.append(importlib.import_module(name))
        except Exception as exc:
            raise PluginLoadError(f"{EXTRA_PLUGINS_ENV}: cannot import {name!r}: "
                                  f"{type(exc).__name__}: {exc}") from exc
    return modules


@dataclass
class Server:
    """A configuration brought up for serving: runtime, open store, settings."""

    runtime: Runtime
    store: Store
    settings: Settings

    @classmethod
    def from_config(cls, config_path: str | Path, settings: Settings | None = None, *,
                    create_key: bool = False) -> Server:
        """Load the configuration and plugins, open and migrate the store, and check the
        configuration against the plugins, with rate budgets kept in the store.

        ``create_key`` makes the installation key when there is none yet (the first
        ``serve``), and logs where; otherwise a missing key is a ``ConfigError``."""
        config = load_config(config_path)
        use_config_format(config.log_format)
        plugins = load_plugins(config.plugins, extra=extra_plugins())
        if create_key:
            created = create_installation_key(config.key_file)
            if created is not None:
                log.warning("created the installation key %s: keep it with the "
                            "configuration (a new key changes every webhook URL)", created)
        key = installation_key(config.key_file)
        store = Store.open(config.store, key=key)
        try:
            runtime = Runtime.build(config, plugins, key=key,
                                    budgets=StoreRateBudgets(store.engine, key=key))
            attach_oauth(runtime, store.vault)
        except BaseException:
            store.close()
            raise
        return cls(runtime, store, settings or Settings.from_env())


def configure_logging() -> None:
    """Log at INFO to stderr in pontes' format (``pontes.logs``), unless the command line
    has configured logging already."""
    if not configured():
        configure()


def serve(config_path: str | Path, host: str = "127.0.0.1", port: int = 8000,
          settings: Settings | None = None, *, worker: bool = True) -> None:
    """Serve the configuration at ``config_path`` until interrupted.

    ``worker`` off (``--no-worker``) takes webhooks without running events, which needs a
    PostgreSQL store (with SQLite the server is the only one to run them). uvicorn's access
    log stays off: webhook URLs carry their token in the path. The port is taken first:
    one that is in use stops the start with a ``ListenError`` before anything is served.
    """
    configure_logging()
    sock = bind(host, port)
    try:
        server = Server.from_config(config_path, settings, create_key=True)
    except BaseException:
        sock.close()
        raise
    try:
        ownership = own_sqlite_store(server.store.engine)
        if not worker:
            if server.store.is_sqlite:
                raise ConfigError(f"{config_path}: store: --no-worker needs a PostgreSQL "
                                  "store; with SQLite this server is the one that runs "
                                  "the events")
            server.settings = replace(server.settings, run_events=False)
    except BaseException:
        server.store.close()
        sock.close()
        raise
    if not server.settings.admin_token:
        log.warning("PONTES_ADMIN_TOKEN is not set: the admin API and pages refuse everyone "
                    "until it is")
    app = create_app(server.runtime, server.store, server.settings)
    role = "running events" if server.settings.run_events else "without running events"
    log.info("pontes serving %s on http://%s:%d, %s (store %s)", config_path, host, port,
             role, server.store.url)
    try:
        serve_on(sock, app, access_log=False, log_level="info",
                 http=header_timeout_protocol(server.settings.header_timeout))
    finally:
        server.store.close()
        if ownership is not None:
            ownership.release()
