"""Zoho's OAuth (``pontes.oauth.zoho``) against the sandbox of Zoho's accounts server
(``pontes.sandbox.zoho_accounts``) over loopback: the login, refreshes that keep the
refresh token, a revoked refresh token that needs a login, a self-client refresh token,
Zoho's refusals in words, calls sent to the token answer's ``api_domain``, and data
centres."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any, Literal

import httpx
import pytest
from pontes.oauth import NeedsLogin, OAuthError
from pontes.oauth.auth import OAuthAuth
from pontes.oauth.session import OAuthSession
from pontes.oauth.zoho import (
    ZOHO_DATA_CENTRES,
    ZohoSettings,
    explain_zoho_error,
    zoho_accounts_url,
    zoho_api_domain,
    zoho_oauth,
)
from pontes.plugin import VendorClient
from pontes.sandbox.zoho_accounts import ZohoAccounts
from pontes.store import Store
from pontes.testing import serve_app
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

CLIENT_ID = "1000.ZOHOTESTCLIENT"
CLIENT_SECRET = "zoho-test-client-secret-0123"
REDIRECT = "http://127.0.0.1:8000/oauth/zoho/callback"
KEY = b"zoho-oauth-tests-key-0123456789ab"


def zoho_app(accounts: ZohoAccounts) -> Starlette:
    """The accounts server plus one API route that needs a valid access token."""

    async def me(request: Request) -> JSONResponse:
        if not accounts.authorized(request):
            return JSONResponse({"errorCode": "INVALID_OAUTH"}, status_code=401)
        return JSONResponse({"host": request.url.netloc})

    return Starlette(routes=[*accounts.routes(), Route("/api/v1/me", me)])


@pytest.fixture
def accounts() -> ZohoAccounts:
    return ZohoAccounts(CLIENT_ID, CLIENT_SECRET, data_centre="eu", auto_approve=True)


@pytest.fixture
def served(accounts) -> Iterator[str]:
    with serve_app(zoho_app(accounts)) as url:
        yield url


@pytest.fixture
def vault(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'pontes.db'}", key=KEY)
    yield store.vault
    store.close()


def settings_for(url: str, **values: Any) -> SimpleNamespace:
    base = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uri": REDIRECT,
            "data_centre": "eu", "accounts_url": f"{url}/accounts", "refresh_token": None,
            "base_url": url}
    return SimpleNamespace(**{**base, **values})


def session_for(vault, settings, **options: Any) -> OAuthSession:
    return OAuthSession("zoho", settings, zoho_oauth(scopes=("Desk.tickets.ALL",
                                                             "Desk.basic.READ"), **options),
                        vault, public_url="http://127.0.0.1:8000")


def me(session: OAuthSession, base_url: str) -> dict:
    client = VendorClient(connection="zoho", base_url=base_url)
    client.authenticate(OAuthAuth(session, client.redactor))

    async def go() -> dict:
        async with client:
            return await client.get_json("/api/v1/me")

    return asyncio.run(go())


def login(session: OAuthSession) -> None:
    answer = httpx.get(session.authorize_url("st-1"), follow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = httpx.URL(answer.headers["location"])
    assert back.params["state"] == "st-1" and back.params["location"] == "eu"
    session.exchange_code(back.params["code"])


def test_the_authorize_url_asks_for_offline_access_with_comma_separated_scopes(vault, served):
    session = session_for(vault, settings_for(served))
    url = httpx.URL(session.authorize_url("st-1"))
    assert url.path == "/accounts/oauth/v2/auth"
    assert url.params["access_type"] == "offline"
    assert url.params["scope"] == "Desk.tickets.ALL,Desk.basic.READ"
    assert url.params["client_id"] == CLIENT_ID and url.params["redirect_uri"] == REDIRECT


def test_login_then_refreshes_keep_the_refresh_token(vault, served, accounts):
    session = session_for(vault, settings_for(served))
    login(session)
    first = vault.load_token("zoho").values
    assert first["extra"]["api_domain"] == served
    assert first["refresh_token"] in accounts.refresh_tokens
    assert me(session, served)["host"]

    accounts.expire()
    assert me(session, served)["host"]
    now = vault.load_token("zoho").values
    assert now["refresh_token"] == first["refresh_token"]
    assert now["access_token"] != first["access_token"]
    assert accounts.refreshes == 1 and accounts.issued == 2

    accounts.expire()
    me(session, served)
    assert vault.load_token("zoho").values["refresh_token"] == first["refresh_token"]
    assert accounts.refreshes == 2


def test_a_revoked_refresh_token_needs_a_login(vault, served, accounts):
    session = session_for(vault, settings_for(served))
    login(session)
    httpx.post(f"{served}/_sandbox/accounts/revoke").raise_for_status()

    with pytest.raises(NeedsLogin, match="invalid_code"):
        me(session, served)
    status = session.status()
    assert status.state == "needs_login" and "invalid_code" in status.reason


def test_a_self_client_refresh_token_signs_in_without_a_login(vault, served):
    seed = httpx.post(f"{served}/_sandbox/accounts/self-client").json()["refresh_token"]
    session = session_for(vault, settings_for(served, refresh_token=seed))
    assert session.status().state == "logged_in"

    assert me(session, served)["host"]
    assert vault.load_token("zoho").values["refresh_token"] == seed


def test_a_wrong_client_secret_is_a_clear_error_without_the_secret(vault, served, accounts):
    seed = accounts.mint_refresh_token()
    wrong = "not-the-zoho-secret-987"
    session = session_for(vault, settings_for(served, refresh_token=seed, client_secret=wrong))

    with pytest.raises(OAuthError) as caught:
        me(session, served)
    message = str(caught.value)
    assert "invalid_client_secret" in message and "does not match" in message
    assert wrong not in message and seed not in message
    assert session.status().state == "logged_in"


def test_a_used_code_is_refused_in_words(vault, served):
    session = session_for(vault, settings_for(served))
    answer = httpx.get(session.authorize_url("st-1"), follow_redirects=False)
    code = httpx.URL(answer.headers["location"]).params["code"]
    session.exchange_code(code)

    with pytest.raises(OAuthError, match="invalid_code: the code or refresh token"):
        session.exchange_code(code)


def test_calls_go_to_the_api_domain_when_no_base_url_is_set(vault, served):
    settings = settings_for(served, base_url=None)
    session = session_for(vault, settings, use_api_domain=True)
    login(session)

    answer = me(session, "https://www.zohoapis.eu")
    assert answer["host"] == httpx.URL(served).netloc.decode()


def test_an_api_domain_outside_zoho_is_not_used():
    settings = settings_for("http://127.0.0.1:9", base_url=None)
    assert zoho_api_domain(settings, {"api_domain": "https://evil.example"}) is None
    assert zoho_api_domain(settings, {"api_domain": "https://www.zohoapis.com.au"}) == \
        "https://www.zohoapis.com.au"
    assert zoho_api_domain(settings, {"api_domain": "http://127.0.0.1:9"}) == \
        "http://127.0.0.1:9"
    pinned = settings_for("http://127.0.0.1:9", base_url="https://desk.zoho.eu")
    assert zoho_api_domain(pinned, {"api_domain": "https://www.zohoapis.eu"}) is None


@pytest.mark.parametrize("dc", sorted(ZOHO_DATA_CENTRES))
def test_each_data_centre_has_its_accounts_server(dc):
    settings = SimpleNamespace(data_centre=dc, accounts_url=None)
    assert zoho_accounts_url(settings) == f"https://accounts.zoho.{dc}"
    declaration = zoho_oauth(scopes=("ZohoBigin.modules.ALL",))
    assert declaration.token_url(settings) == f"https://accounts.zoho.{dc}/oauth/v2/token"
    assert declaration.authorize_url(settings) == f"https://accounts.zoho.{dc}/oauth/v2/auth"


def test_accounts_url_wins_over_the_data_centre_and_an_unknown_one_is_named():
    explicit = SimpleNamespace(data_centre="eu", accounts_url="https://accounts.example.test/")
    assert zoho_accounts_url(explicit) == "https://accounts.example.test"
    assert zoho_accounts_url(SimpleNamespace(data_centre=None, accounts_url=None)) == \
        "https://accounts.zoho.com"
    with pytest.raises(ValueError, match="data_centre: 'mars'"):
        zoho_accounts_url(SimpleNamespace(data_centre="mars", accounts_url=None))


@pytest.mark.parametrize(("body", "expected"), [
    ({"error": "invalid_code"}, "invalid_code: the code or refresh token is invalid"),
    ({"error": "invalid_client"}, "invalid_client: the client_id is not a client"),
    ({"code": "INVALID_TOKEN", "message": "invalid oauth token"},
     "INVALID_TOKEN: the access token is invalid or expired"),
    ({"error": "something_new", "error_description": "a new reason"},
     "something_new: a new reason"),
    ({}, "Zoho's accounts server refused the request"),
])
def test_zoho_errors_are_explained(body, expected):
    assert explain_zoho_error(body).startswith(expected)


def test_the_declaration_is_zohos():
    declaration = zoho_oauth(scopes=("Desk.tickets.ALL",))
    assert declaration.authorization("t0k") == "Zoho-oauthtoken t0k"
    assert declaration.rotates_refresh_token is False
    assert declaration.token_request == "form"
    assert declaration.refresh_token_setting == "refresh_token"
    assert declaration.is_revoked(200, {"error": "invalid_code"})
    assert not declaration.is_revoked(200, {"error": "invalid_client"})


def test_self_client_tokens_survive_a_reset_and_standing_tokens_are_always_good():
    accounts = ZohoAccounts(CLIENT_ID, CLIENT_SECRET, self_client_tokens=("1000.self",),
                            standing_tokens=("1000.standing",))
    assert accounts.valid("1000.standing") and not accounts.valid("1000.other")
    accounts.revoke()
    assert "1000.self" not in accounts.refresh_tokens
    accounts.reset()
    assert accounts.refresh_tokens == {"1000.self"} and accounts.valid("1000.standing")


def test_the_token_endpoint_answers_zohos_shape_and_refusals(served):
    seed = httpx.post(f"{served}/_sandbox/accounts/self-client").json()["refresh_token"]
    form = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "grant_type": "refresh_token", "refresh_token": seed}
    answer = httpx.post(f"{served}/accounts/oauth/v2/token", params=form)
    assert set(answer.json()) == {"access_token", "scope", "api_domain", "token_type",
                                  "expires_in"}
    assert answer.json()["expires_in"] == 3600
    wrong_grant = httpx.post(f"{served}/accounts/oauth/v2/token",
                             data={**form, "grant_type": "password"})
    assert (wrong_grant.status_code, wrong_grant.json()) == (
        200, {"error": "unsupported_grant_type"})
    httpx.post(f"{served}/accounts/oauth/v2/token/revoke", params={"token": seed})
    gone = httpx.post(f"{served}/accounts/oauth/v2/token", data=form)
    assert gone.json() == {"error": "invalid_code"}


class DeskLikeSettings(ZohoSettings):
    """A Zoho product whose API lives under ``/api/v1``."""

    api_path = "/api/v1"
    plugin: Literal["desk_like"] = "desk_like"


def test_zoho_settings_trim_the_api_path_and_refuse_what_is_not_an_address():
    settings = DeskLikeSettings(client_id="c", client_secret="s",
                                base_url=" https://desk.example.test/api/v1/ ",
                                accounts_url="http://127.0.0.1:9/")
    assert settings.base_url == "https://desk.example.test"
    assert settings.accounts_url == "http://127.0.0.1:9"
    assert (settings.data_centre, settings.timeout_seconds) == ("com", 30.0)
    with pytest.raises(ValidationError, match="'desk.example.test' is not an http"):
        DeskLikeSettings(client_id="c", client_secret="s", base_url="desk.example.test")
    with pytest.raises(ValidationError, match="data_centre"):
        DeskLikeSettings(client_id="c", client_secret="s", data_centre="moon")


def test_zoho_settings_use_oauth_unless_an_access_token_is_given():
    assert DeskLikeSettings(client_id="c", client_secret="s").uses_oauth
    given = DeskLikeSettings(client_id="c", client_secret="s", access_token="1000.t")
    assert not given.uses_oauth
    assert "1000.t" not in repr(given)
