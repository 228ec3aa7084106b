"""The HTTP server: webhooks into the inbox, actions, the admin API, health, metrics.

``create_app(runtime, store, settings)`` returns the Starlette app; ``serve(config_path,
host, port)`` loads a configuration and serves it with uvicorn.
"""

from .app import create_app
from .auth import action_token
from .serve import EXTRA_PLUGINS_ENV, Server, extra_plugins, serve

__all__ = ["EXTRA_PLUGINS_ENV", "Server", "action_token", "create_app", "extra_plugins", "serve"]
