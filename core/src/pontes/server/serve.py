"""Running the server from a configuration file.

Besides the installed plugins, the modules named in ``PONTES_EXTRA_PLUGINS``
(comma-separated, importable from ``PYTHONPATH``) are loaded as plugins: a one-off local
plugin needs no packaging.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import uvicorn

from ..config import load_config
from ..engine import Settings
from ..errors import PluginLoadError
from ..plugins import load_plugins
from ..runtime import Runtime
from ..store import Store
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
    def from_config(cls, config_path: str | Path, settings: Settings | None = None) -> Server:
        """Load the configuration and plugins, check them, open and migrate the store."""
        config = load_config(config_path)
        plugins = load_plugins(config.plugins, extra=extra_plugins())
        runtime = Runtime.build(config, plugins)
        store = Store.open(config.store)
        return cls(runtime, store, settings or Settings.from_env())


def serve(config_path: str | Path, host: str = "127.0.0.1", port: int = 8000,
          settings: Settings | None = None) -> None:
    """Serve the configuration at ``config_path`` until interrupted.

    uvicorn's access log stays off: webhook URLs carry their token in the path.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = Server.from_config(config_path, settings)
    app = create_app(server.runtime, server.store, server.settings)
    log.info("pontes serving %s on http://%s:%d (store %s)", config_path, host, port,
             server.store.url)
    try:
        uvicorn.run(app, host=host, port=port, access_log=False, log_level="info",
                    http=header_timeout_protocol(server.settings.header_timeout))
    finally:
        server.store.close()
