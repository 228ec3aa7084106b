"""Bigin on Zoho OAuth against the sandbox's accounts server: the authorize URL of the
data centre with Bigin's scopes, a login through it, calls sent to the token answer's
``api_domain`` with ``Zoho-oauthtoken``, a refresh when the token expires, and a
connection with no refresh token that needs a login."""

from __future__ import annotations

import httpx
import pytest
from pontes.oauth import NeedsLogin
from pontes.oauth.session import OAuthSession
from pontes.plugin import Contact
from pontes.plugins import load_plugins
from pontes.store import Store
from pontes.testing import serve_app

from pontes_bigin.connector import SCOPES, BiginSettings, kit
from pontes_bigin.sandbox import build_app, sandbox_settings

KEY = b"bigin-oauth-tests-key-0123456789"
PUBLIC_URL = "http://127.0.0.1:8000"


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def vault(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'pontes.db'}", key=KEY)
    yield store.vault
    store.close()


@pytest.fixture
def served():
    with serve_app(build_app()) as url:
        yield url


def connect(vault, settings: BiginSettings):
    connection = load_plugins().registry.connect("bigin", "bigin", settings)
    connection.oauth = OAuthSession("bigin", settings, kit.connector.oauth, vault,
                                    public_url=PUBLIC_URL)
    return connection


def oauth_settings(url: str, **changes) -> BiginSettings:
    entry = {k: v for k, v in sandbox_settings(url, oauth=True).items() if k != "plugin"}
    return BiginSettings(**{**entry, **changes})


def test_the_authorize_url_is_the_data_centres_with_bigins_scopes(vault):
    settings = BiginSettings(client_id="1000.ABC", client_secret="s", data_centre="com.au")
    session = OAuthSession("bigin", settings, kit.connector.oauth, vault, public_url=PUBLIC_URL)
    url = httpx.URL(session.authorize_url("st-1"))
    assert (url.host, url.path) == ("accounts.zoho.com.au", "/oauth/v2/auth")
    assert url.params["scope"] == ",".join(SCOPES)
    assert url.params["access_type"] == "offline"
    assert url.params["redirect_uri"] == f"{PUBLIC_URL}/oauth/bigin/callback"


@pytest.mark.anyio
async def test_a_login_signs_calls_sent_to_the_api_domain_and_refreshes(vault, served):
    connection = connect(vault, oauth_settings(served, refresh_token=None))
    assert connection.settings.api_url == "https://www.zohoapis.com/bigin/v2"
    answer = httpx.get(connection.oauth.authorize_url("st-1"), follow_redirects=False)
    connection.oauth.exchange_code(httpx.URL(answer.headers["location"]).params["code"])

    created = await connection.call("contact.create", Contact(name="Ana Souza"))
    httpx.post(f"{served}/_sandbox/accounts/expire").raise_for_status()
    found = await connection.call("contact.get", id=created.refs["bigin"])
    tokens = httpx.get(f"{served}/_sandbox/accounts/tokens").json()
    await connection.aclose()
    assert found.name == "Ana Souza"
    assert (tokens["issued"], tokens["refreshes"]) == (2, 1)


@pytest.mark.anyio
async def test_the_self_clients_refresh_token_signs_in_without_a_login(vault, served):
    connection = connect(vault, oauth_settings(served))
    users = await connection.call("user.list", {})
    await connection.aclose()
    assert users[0].name == "Sam Rep"


@pytest.mark.anyio
async def test_without_a_refresh_token_or_login_the_connection_needs_a_login(vault, served):
    connection = connect(vault, oauth_settings(served, refresh_token=None))
    with pytest.raises(NeedsLogin):
        await connection.call("user.list", {})
    await connection.aclose()
    assert connection.oauth.status().state == "needs_login"
