"""CSRF tokens: bound to what authorises the page, checked on every form post."""

import pytest
from pontes.web.csrf import CsrfRejected, check_csrf, checked_form, csrf_token
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

KEY = b"installation-key-for-tests"


def test_a_token_passes_for_its_binding() -> None:
    check_csrf(KEY, "context-a", csrf_token(KEY, "context-a"))


def test_a_token_of_another_binding_is_refused() -> None:
    with pytest.raises(CsrfRejected, match="another page"):
        check_csrf(KEY, "context-b", csrf_token(KEY, "context-a"))


def test_a_missing_or_forged_token_is_refused() -> None:
    with pytest.raises(CsrfRejected, match="no CSRF token"):
        check_csrf(KEY, "context-a", None)
    with pytest.raises(CsrfRejected, match="not valid"):
        check_csrf(KEY, "context-a", "forged.token")


def test_an_old_token_is_refused() -> None:
    token = csrf_token(KEY, "context-a", now=0.0)
    with pytest.raises(CsrfRejected, match="expired"):
        check_csrf(KEY, "context-a", token)


def _app() -> Starlette:
    async def post(request: Request) -> PlainTextResponse:
        try:
            form = await checked_form(request, KEY, "context-a")
        except CsrfRejected as exc:
            return PlainTextResponse(str(exc), 403)
        return PlainTextResponse(f"ok {form['name']}")

    return Starlette(routes=[Route("/form", post, methods=["POST"])])


def test_a_form_post_is_checked_by_field_or_header() -> None:
    client = TestClient(_app())
    token = csrf_token(KEY, "context-a")
    assert client.post("/form", data={"name": "x", "csrf_token": token}).text == "ok x"
    assert client.post("/form", data={"name": "y"},
                       headers={"X-CSRF-Token": token}).text == "ok y"
    refused = client.post("/form", data={"name": "z"})
    assert refused.status_code == 403
    assert "no CSRF token" in refused.text
    other = client.post("/form", data={"name": "z",
                                       "csrf_token": csrf_token(KEY, "context-b")})
    assert other.status_code == 403
