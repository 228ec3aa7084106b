"""Fixtures: a fresh Ploomes sandbox for each test, connections to it, and a webhook
receiver served on loopback.

- ``ploomes_url``: the base URL of this test's sandbox (``sandbox_url`` of
  ``pontes.testing``), seeded with the demo account;
- ``api``: a plain HTTP client for it, authenticated as the seeded administrator;
- ``make_connection(**settings)`` and ``connection``: connections to it through the
  installed plugin (``sandbox_connection`` of ``pontes.testing``), each with its own name
  and so its own rate budget;
- ``receiver``: ``pontes.testing``'s webhook receiver, which records what the sandbox
  posts to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import httpx
import pytest
from pontes.plugin import Connection
from pontes.testing.receiver import WebhookReceiver
from pontes_ploomes.sandbox.seed import SANDBOX_USER_KEY


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def ploomes_url(sandbox_url: Callable[[str], str]) -> str:
    """The base URL of a fresh Ploomes sandbox with its seeded account."""
    return sandbox_url("ploomes")


@pytest.fixture
def api(ploomes_url: str) -> Iterator[httpx.Client]:
    """A plain HTTP client for the sandbox, authenticated as the seeded administrator."""
    with httpx.Client(base_url=ploomes_url, headers={"User-Key": SANDBOX_USER_KEY}) as client:
        yield client


@pytest.fixture
def receiver(webhook_receiver: WebhookReceiver) -> WebhookReceiver:
    """Where the sandbox posts its webhooks (``pontes.testing``'s receiver)."""
    return webhook_receiver


@pytest.fixture
def make_connection(sandbox_connection, ploomes_url: str) -> Callable[..., Connection]:
    """``make_connection(**settings)``: a connection to the sandbox (settings overridden)."""
    return partial(sandbox_connection, "ploomes", base_url=ploomes_url)


@pytest.fixture
def connection(make_connection) -> Connection:
    """A connection to the sandbox with the default settings."""
    return make_connection()
