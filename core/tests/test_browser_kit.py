"""The test kit's browser fixtures (``pontes.testing.browser``), run with pytester: a page in
Debian's Chromium that passes, one whose script throws, one whose test fails (and leaves a
screenshot), and the skips when the browser or Playwright is missing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pontes.testing.browser import FAILURE_SCREENSHOT, browser_missing

pytest_plugins = ["pytester"]

CONFTEST = '''
import pytest


@pytest.fixture
def anyio_backend():
    return "asyncio"
'''

PAGE_TESTS = '''
import pytest
from playwright.async_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.anyio]


async def test_renders(browser_page):
    await browser_page.set_content("<p id=greeting></p>"
                                   "<script>greeting.textContent = 'hello'</script>")
    await expect(browser_page.locator("#greeting")).to_have_text("hello")
    assert "Chrom" in await browser_page.evaluate("navigator.userAgent")


async def test_script_throws(browser_page):
    await browser_page.set_content(
        "<script>setTimeout(() => { throw new TypeError('boom in the page') })</script>")
    await browser_page.wait_for_function("document.readyState === 'complete'")
    await browser_page.evaluate("new Promise(resolve => setTimeout(resolve, 50))")


async def test_fails(browser_page):
    await browser_page.set_content("<h1>Wrong page</h1>")
    assert await browser_page.inner_text("h1") == "Right page"
'''

SKIPPED_TESTS = '''
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.anyio]


async def test_needs_a_browser(browser_page):
    assert browser_page is not None
'''


def run(pytester: pytest.Pytester, conftest: str = CONFTEST) -> pytest.RunResult:
    pytester.makeconftest(conftest)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q", "-rfEs",
                                         "--basetemp", str(pytester.path / "tmp"))


@pytest.mark.browser
@pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))
def test_pages_pass_throw_and_fail_with_a_screenshot(pytester):
    pytester.makepyfile(test_pages=PAGE_TESTS)
    result = run(pytester)
    outcomes = result.parseoutcomes()
    assert (outcomes.get("passed"), outcomes.get("failed"), outcomes.get("errors")) == (
        2, 1, 1), result.stdout.str()
    result.stdout.fnmatch_lines(["*ERROR at teardown of test_script_throws*",
                                 "*uncaught JavaScript errors on the page:*",
                                 "*TypeError: boom in the page*"])
    [printed] = re.findall(r"^the page when the test failed: (\S+)$", result.stdout.str(),
                           flags=re.MULTILINE)
    screenshot = Path(printed)
    assert screenshot.name == FAILURE_SCREENSHOT and "test_fails" in str(screenshot)
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert len(list((pytester.path / "tmp").rglob(FAILURE_SCREENSHOT))) == 1


def test_without_chromium_the_tests_are_skipped_and_say_why(pytester):
    pytester.makepyfile(test_skipped=SKIPPED_TESTS)
    result = run(pytester, CONFTEST + f'''
import pontes.testing.browser
from pathlib import Path

pontes.testing.browser.CHROMIUM = Path("{pytester.path}/no-chromium")
''')
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*Debian's Chromium is not installed at *no-chromium "
                                 "(apt-get install chromium)*"])


def test_without_playwright_the_tests_are_skipped_and_say_why(pytester):
    pytester.makepyfile(test_skipped=SKIPPED_TESTS)
    result = run(pytester, 'import sys\nsys.modules["playwright"] = None\n' + CONFTEST)
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*the playwright package is not installed*"])
