"""Signing in to the admin pages: the session cookie, wrong tokens, CSRF, sign-out."""

from __future__ import annotations

import re

import httpx
from admin_support import csrf_of, sign_in
from engine_support import (
    ADMIN_TOKEN,
    SECRET_KEY,
    ThreadedServer,
    ledger_config,
    ledger_runtime,
    quick_settings,
)
from pontes.admin.session import (
    BASE_DELAY,
    COOKIE,
    FORGET_AFTER,
    MAX_ADDRESSES,
    MAX_DELAY,
    PURPOSE,
    Throttle,
)
from pontes.server import create_app
from pontes.store import Store
from pontes.web.signing import sign

SIGNED = re.compile(r"[\w-]{16,}\.[\w-]{16,}")
"""A signed token (the CSRF token, fresh on every page)."""


def test_the_right_token_sets_an_httponly_strict_expiring_session_cookie(served):
    client, answer = sign_in(served.url)

    assert answer.status_code == 303 and answer.headers["location"] == "/admin/events"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("pontes_admin=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/admin" in cookie
    assert re.search(r"Max-Age=28800", cookie)
    assert ADMIN_TOKEN not in cookie
    page = client.get("/admin/events")
    assert page.status_code == 200 and "<h1>Events</h1>" in page.text
    client.close()


def test_a_wrong_token_gets_the_same_answer_however_close_it_was(served):
    answers = []
    for token in (ADMIN_TOKEN[:-1] + "?", "x", ""):
        client, answer = sign_in(served.url, token)
        answers.append((answer.status_code, SIGNED.sub("<token>", answer.text),
                        "set-cookie" in answer.headers))
        assert client.get("/admin/overview").status_code == 303  # still signed out
        client.close()

    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 401 and not answers[0][2]
    assert "That is not the admin token." in answers[0][1]


def test_pages_without_a_session_send_to_the_sign_in_form(served):
    answer = httpx.get(f"{served.url}/admin/dead-letters?integration=copy")

    assert answer.status_code == 303
    assert answer.headers["location"] == ("/admin/sign-in?next=%2Fadmin%2Fdead-letters%3F"
                                          "integration%3Dcopy")


def test_a_post_without_the_csrf_token_is_refused(served, operator):
    refused = operator.post("/admin/dead-letters/replay", data={"integration": "copy"})
    forged = operator.post("/admin/dead-letters/replay",
                           data={"integration": "copy", "csrf_token": "forged.token"})

    assert refused.status_code == 403 and "no CSRF token" in refused.text
    assert forged.status_code == 403
    page = operator.get("/admin/dead-letters")
    accepted = operator.post("/admin/dead-letters/replay",
                             data={"integration": "copy", "csrf_token": csrf_of(page.text)})
    assert accepted.status_code == 303 and "queued" in accepted.headers["location"]


def test_signing_out_ends_the_session_in_every_process_even_for_a_kept_cookie(served,
                                                                               operator):
    """A second app over the same store stands for another web process."""
    other = ThreadedServer(create_app(served.runtime, served.store,
                                      quick_settings(run_events=False),
                                      key=SECRET_KEY.encode())).start()
    try:
        kept = dict(operator.cookies)
        with httpx.Client(base_url=other.url, cookies=kept) as elsewhere:
            assert elsewhere.get("/admin/overview").status_code == 200
            page = operator.get("/admin/overview")
            out = operator.post("/admin/sign-out", data={"csrf_token": csrf_of(page.text)})

            assert out.status_code == 303
            assert out.headers["location"].startswith("/admin/sign-in")
            assert 'pontes_admin=""' in out.headers["set-cookie"]
            assert elsewhere.get("/admin/overview").status_code == 303
        with httpx.Client(base_url=served.url, cookies=kept) as replayed:
            assert replayed.get("/admin/overview").status_code == 303
    finally:
        other.stop()


def test_a_forged_session_cookie_is_ignored(served):
    with httpx.Client(base_url=served.url, cookies={"pontes_admin": "e30.AAAA"}) as client:
        assert client.get("/admin/overview").status_code == 303


def test_failures_from_one_address_make_its_next_answers_wait_longer():
    throttle = Throttle()
    assert throttle.delay("10.0.0.1", now=0) == 0
    for attempt in range(1, 8):
        throttle.failed("10.0.0.1", now=attempt)
    waits = [throttle.delay("10.0.0.1", now=8)]
    throttle.failed("10.0.0.1", now=8)
    waits.append(throttle.delay("10.0.0.1", now=9))

    assert waits == [min(MAX_DELAY, BASE_DELAY * 2 ** 6)] * 2 == [MAX_DELAY] * 2
    assert throttle.delay("10.0.0.2", now=9) == 0  # another address is not slowed
    assert throttle.delay("10.0.0.1", now=9 + FORGET_AFTER + 1) == 0
    throttle.failed("10.0.0.3", now=0)
    assert throttle.delay("10.0.0.3", now=1) == BASE_DELAY
    throttle.failed("10.0.0.3", now=1)
    assert throttle.delay("10.0.0.3", now=2) == 2 * BASE_DELAY
    throttle.succeeded("10.0.0.3")
    assert throttle.delay("10.0.0.3", now=3) == 0


def test_the_throttle_forgets_stale_addresses_when_it_holds_too_many():
    throttle = Throttle()
    for number in range(MAX_ADDRESSES):
        throttle.failed(f"old-{number}", now=0)
    throttle.failed("new", now=FORGET_AFTER + 10)

    assert set(throttle.failures) == {"new"}


def test_an_expired_session_or_one_from_another_admin_token_is_refused(served, tmp_path):
    expired = sign(SECRET_KEY.encode(), PURPOSE, {"sid": "s1", "tok": "x"}, lifetime=-1)
    with httpx.Client(base_url=served.url, cookies={COOKIE: expired}) as client:
        assert client.get("/admin/overview").status_code == 303

    client, answer = sign_in(served.url)
    cookie = client.cookies[COOKIE]
    client.close()
    config = ledger_config(f"sqlite:///{tmp_path / 'other.db'}", "http://127.0.0.1:9")
    store = Store.open(config["store"], key=SECRET_KEY.encode())
    other = ThreadedServer(create_app(ledger_runtime(config), store,
                                      quick_settings(admin_token="a-new-admin-token"),
                                      key=SECRET_KEY.encode())).start()
    try:
        with httpx.Client(base_url=other.url, cookies={COOKIE: cookie}) as client:
            assert client.get("/admin/overview").status_code == 303
    finally:
        other.stop()
        store.close()
