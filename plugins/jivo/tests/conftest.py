"""Fixtures for the Jivo plugin tests.

- ``examples``: one body per Webhooks API event, written in the shapes and id types of
  Jivo's documented examples (``tests/examples/*.json``), built apart from the sandbox
  but with its channel id (``widget_id`` 51234), so one posted to a demo installation runs;
- ``receiver``: ``pontes.testing``'s webhook receiver, which answers webhooks the way a
  test tells it to (or as the pontes server does, at ``url("pontes")``) and keeps what it
  received;
- ``jivo_sandbox``: an HTTP client on a fresh Jivo sandbox (``sandbox_url`` of
  ``pontes.testing``);
- ``jivo_connection``: connections with given settings, to no sandbox (Jivo calls us, so
  loading an event needs none); ``sandbox_connection`` of ``pontes.testing`` gives one
  with the sandbox's settings.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from pontes.plugin import Connection
from pontes.registry import Registry
from pontes.testing import connect
from pontes.testing.receiver import Reply, WebhookReceiver

EXAMPLES = Path(__file__).parent / "examples"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def examples() -> dict[str, dict[str, Any]]:
    """A fresh copy of every documented-shape body, by ``event_name``."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(EXAMPLES.glob("*.json"))}


@pytest.fixture
def receiver(webhook_receiver: WebhookReceiver, pontes_registry: Registry) -> WebhookReceiver:
    """``pontes.testing``'s webhook receiver, answering ``{"result": "ok"}`` as Jivo
    expects unless the test sets a reply; ``url("pontes")`` answers as the pontes server
    does, through the plugin's webhook trigger (its events in ``events``)."""
    [trigger] = pontes_registry.webhook_triggers("jivo")
    webhook_receiver.default_reply = Reply(trigger.ack.body)
    webhook_receiver.triggers["pontes"] = trigger
    return webhook_receiver


@pytest.fixture
async def jivo_sandbox(sandbox_url: Callable[[str], str]) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on a fresh Jivo sandbox: no chats and its default settings."""
    async with httpx.AsyncClient(base_url=sandbox_url("jivo"), timeout=30) as client:
        yield client


@pytest.fixture
def jivo_connection(pontes_registry: Registry) -> Callable[..., Connection]:
    """``jivo_connection(name="jivo", **settings)``: a connection with those settings."""

    def make(name: str = "jivo", **settings: Any) -> Connection:
        model = pontes_registry.connectors["jivo"].settings.model_validate(
            {"plugin": "jivo", **settings})
        return connect(pontes_registry, "jivo", model, name)

    return make
