"""Shared fixtures of the core tests."""

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """Async tests run on asyncio (the sandboxes and the vendor client are asyncio code)."""
    return "asyncio"
