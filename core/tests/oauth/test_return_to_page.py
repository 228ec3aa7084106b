"""A login started from a pontes page (a panel's "Login to <CRM>") names the page in
``next``, and the callback sends the browser back there once the tokens are stored."""

from __future__ import annotations

import httpx
import pytest
from pontes.oauth.routes import NEXT_COOKIE

pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def test_a_login_started_from_a_page_comes_back_to_it(pontes, vendor):
    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        answer = browser.get(f"{pontes.url}/oauth/gate/start",
                             params={"next": "/healthz?from=panel"})
        assert NEXT_COOKIE not in browser.cookies
    assert answer.status_code == 200
    assert str(answer.url) == f"{pontes.url}/healthz?from=panel"
    assert [r.status_code for r in answer.history] == [302, 302, 303]
    assert pontes.store.vault.load_token("gate") is not None


def test_a_login_without_next_ends_on_the_logged_in_page(pontes, vendor):
    answer = pontes.login()
    assert answer.status_code == 200 and "is logged in" in answer.text


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/x",
                                       "/\\evil.example", "panels/x"])
def test_next_must_be_a_path_on_this_server(pontes, elsewhere):
    answer = httpx.get(f"{pontes.url}/oauth/gate/start", params={"next": elsewhere})
    assert answer.status_code == 400
    assert "next must be a path on this server" in answer.text


def test_a_forged_return_cookie_is_ignored(pontes, vendor):
    with httpx.Client(follow_redirects=True, timeout=10) as browser:
        start = browser.get(f"{pontes.url}/oauth/gate/start", follow_redirects=False)
        browser.cookies.set(NEXT_COOKIE, "forged.cookie", path="/oauth/gate")
        answer = browser.get(start.headers["location"])
    assert answer.status_code == 200 and "is logged in" in answer.text
