"""pontes: connect helpdesks, live chats and CRMs through canonical models and plugins.

Plugins import ``hookimpl`` from here to implement the hooks in ``pontes.hookspecs``.
"""

import pluggy

__version__ = "0.1.0"

PROJECT_NAME = "pontes"
ENTRY_POINT_GROUP = "pontes.plugins"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
"""Decorator for a plugin's hook implementations: ``@hookimpl def register_actions(): ...``."""

__all__ = ["ENTRY_POINT_GROUP", "PROJECT_NAME", "__version__", "hookimpl"]
