"""The plugin test kit: serve sandboxes on loopback, connect to them, run the standard suite.

- ``serve_app(app)`` / ``free_port()``: run any ASGI app with uvicorn for a test;
- ``sandbox_settings``, ``connect``, ``with_wrong_secrets``: connections to sandboxes;
- ``webhook_request``: a ``WebhookRequest`` from a sample body, as the server builds it;
- ``every_page``: every record a paged list action gives, cursor after cursor;
- ``pontes.testing.polling``: a polling trigger's events loaded (``loaded_by_type``), and
  ``assert_nothing_new_after`` a poll with nothing changed since;
- ``ConnectorStandardTests`` with ``WebhookSample`` and ``ActionCase``: the tests every
  connector must pass (see ``docs/testing-plugins.md``), and ``made``, ``prepared``,
  ``id_of`` and ``created``, the inputs of cases that need a record made first, and
  ``find_created_cases`` and ``finder_cases``;
- ``pontes.testing.strategies``: hypothesis strategies for canonical records;
- ``pontes.testing.leaks``: ``find_leaks``, secrets found in any text in any spelling;
- ``pontes.testing.stack``: a whole installation on loopback (sandboxes, a configuration
  and a server process), which the demo and the end-to-end tests are built on.

The pytest fixtures (``pontes_registry``, ``sandbox_url``, ``sandbox_connection``, and
``browser_page`` from ``pontes.testing.browser``) live in ``pontes.testing.pytest_plugin``,
which pytest loads by itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .cases import (
    ActionCase,
    WebhookSample,
    created,
    find_created_cases,
    finder_cases,
    id_of,
    made,
    prepared,
)
from .connections import connect, sandbox_settings, secret_fields, with_wrong_secrets
from .pages import every_page
from .server import ServerError, free_port, serve_app
from .webhooks import webhook_request

if TYPE_CHECKING:
    from .standard import ConnectorStandardTests

__all__ = [
    "ActionCase",
    "ConnectorStandardTests",
    "ServerError",
    "WebhookSample",
    "connect",
    "created",
    "every_page",
    "find_created_cases",
    "finder_cases",
    "free_port",
    "id_of",
    "made",
    "prepared",
    "sandbox_settings",
    "secret_fields",
    "serve_app",
    "webhook_request",
    "with_wrong_secrets",
]


def __getattr__(name: str) -> Any:
    # The suite imports pytest; load it only when asked, so serve_app works without pytest.
    if name == "ConnectorStandardTests":
        from .standard import ConnectorStandardTests

        return ConnectorStandardTests
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
