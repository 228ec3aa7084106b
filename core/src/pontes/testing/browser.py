"""Pages in a real browser: Debian's Chromium, headless, driven by Playwright.

Pages and panels are tested the way a person meets them: in Chromium, with its HTML
parser, CSS and JavaScript. The kit never downloads a browser: it launches the one
Debian installs at ``/usr/bin/chromium`` (``apt-get install chromium``), and skips the
test, saying what is missing, when that browser or the ``playwright`` package is absent.

This module is a pytest plugin, which the kit's plugin loads. It gives:

- ``chromium_browser``: a Chromium launched for one test (``playwright.async_api.Browser``);
- ``browser_page``: a fresh page (``playwright.async_api.Page``) in its own context of that
  browser. An uncaught JavaScript error on the page fails the test when it ends; when the
  test fails, a screenshot of the page is saved in its ``tmp_path`` and its path printed;
- the ``browser`` marker.

Both fixtures are async, on anyio's asyncio backend (Playwright's API is asyncio's): use
them from ``@pytest.mark.anyio`` tests, and mark the tests ``@pytest.mark.browser``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's Chromium, the only browser the tests launch."""

CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking")
"""Headless, without the setuid sandbox (CI runs as root), the GPU or background calls."""

TIMEOUT_MS = 15_000
"""How long an action or a waiting assertion (``expect``) waits before it fails.

Generous because CI machines are shared: a passing assertion returns as soon as it holds,
so only a failing test waits this long."""

FAILURE_SCREENSHOT = "page-at-failure.png"
"""The name of the screenshot ``browser_page`` saves in the test's ``tmp_path`` when the
test fails."""

_test_failed = pytest.StashKey[bool]()


def browser_missing() -> str | None:
    """Why browser tests cannot run here (the package or the browser is missing), or
    ``None`` when they can."""
    if importlib.util.find_spec("playwright") is None:
        return ("the playwright package is not installed "
                "(it is in the dev dependency group: pip install --group dev)")
    if not CHROMIUM.exists():
        return f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``browser`` marker, so a plugin's own test run knows it too."""
    config.addinivalue_line(
        "markers", "browser: tests of pages in Debian's headless Chromium "
                   f"({CHROMIUM}) through Playwright")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item,
                              call: pytest.CallInfo[None]) -> Iterator[pytest.TestReport]:
    """Note on the test whether its body failed, for ``browser_page`` to take a screenshot."""
    report = yield
    if report.when == "call" and report.failed:
        item.stash[_test_failed] = True
    return report


@pytest.fixture
async def chromium_browser(anyio_backend_name: str) -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, launched for this test and closed after it."""
    missing = browser_missing()
    if missing:
        pytest.skip(missing)
    if anyio_backend_name != "asyncio":
        pytest.skip(f"Playwright runs on asyncio only, not on {anyio_backend_name}")
    from playwright.async_api import async_playwright, expect

    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM),
                                                   args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def browser_page(chromium_browser: Browser, request: pytest.FixtureRequest,
                       tmp_path: Path) -> AsyncIterator[Page]:
    """A new page in a fresh browser context (no cookies or storage from other tests).

    When the test fails, the page is saved as ``page-at-failure.png`` in its ``tmp_path``
    (the path is printed with the failure). The test fails at its end if a script on the
    page threw an error nobody caught.
    """
    context = await chromium_browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(f"{error.name}: {error.message}"))
    try:
        yield page
        if request.node.stash.get(_test_failed, False) and not page.is_closed():
            screenshot = tmp_path / FAILURE_SCREENSHOT
            await page.screenshot(path=screenshot, full_page=True)
            print(f"the page when the test failed: {screenshot}")
    finally:
        await context.close()
    if page_errors:
        pytest.fail("uncaught JavaScript errors on the page:\n" + "\n".join(page_errors))
