"""Zoho Desk on Zoho OAuth, against the sandbox's accounts server over loopback: a
self-client refresh token signs calls in, an expired access token is refreshed without
the refresh token changing, a revoked one puts the connection in "needs login", and a
person logs in through a real pontes server's ``/oauth/<connection>/start``."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from pontes.config import Config
from pontes.engine import Settings
from pontes.oauth import OAuthError
from pontes.oauth.wiring import attach_oauth
from pontes.plugin import NeedsLogin
from pontes.runtime import Runtime
from pontes.server.app import create_app
from pontes.store import Store
from pontes.testing import free_port, serve_app

from pontes_zohodesk.sandbox import sandbox_settings
from pontes_zohodesk.sandbox.app import SANDBOX_CLIENT_SECRET, SANDBOX_REFRESH_TOKEN, build_app

KEY = b"zohodesk-oauth-tests-key-01234567"
ADMIN_TOKEN = "zohodesk-oauth-tests-admin-token"


def runtime_for(tmp_path, url: str, **connection) -> tuple[Runtime, Store]:
    config = Config.model_validate({
        "store": f"sqlite:///{tmp_path / 'pontes.db'}", "plugins": ["zohodesk"],
        "connections": {"desk": {**sandbox_settings(url, oauth=True), **connection}}})
    store = Store.open(config.store, key=KEY)
    runtime = Runtime.build(config, key=KEY)
    attach_oauth(runtime, store.vault)
    return runtime, store


def signed_calls(runtime: Runtime) -> list:
    """Check the connection (departments), then list its webhooks: two signed calls."""
    async def call():
        connection = runtime.connections["desk"]
        try:
            await connection.connector.check(connection)
            return await connection.call("webhook.list", {})
        finally:
            await connection.aclose()

    return asyncio.run(call())


def test_a_self_client_token_refreshes_without_rotating_until_revoked(tmp_path):
    app = build_app()
    accounts = app.state.accounts
    with serve_app(app) as url:
        runtime, store = runtime_for(tmp_path, url)
        try:
            assert signed_calls(runtime) == []
            first = store.vault.load_token("desk").values
            assert first["refresh_token"] == SANDBOX_REFRESH_TOKEN
            assert first["extra"]["api_domain"] == url

            httpx.post(f"{url}/_sandbox/accounts/expire").raise_for_status()
            signed_calls(runtime)
            now = store.vault.load_token("desk").values
            assert now["refresh_token"] == SANDBOX_REFRESH_TOKEN
            assert now["access_token"] != first["access_token"]
            assert accounts.refreshes == 2 and accounts.issued == 2

            httpx.post(f"{url}/_sandbox/accounts/revoke").raise_for_status()
            with pytest.raises(NeedsLogin, match="invalid_code"):
                signed_calls(runtime)
            status = runtime.connections["desk"].oauth.status()
            assert status.state == "needs_login"
            shown = str(status.as_dict())
            assert SANDBOX_REFRESH_TOKEN not in shown and now["access_token"] not in shown
        finally:
            store.close()


def test_a_wrong_client_secret_is_a_clear_error_without_the_secret(tmp_path):
    with serve_app(build_app()) as url:
        runtime, store = runtime_for(tmp_path, url, client_secret="not-the-desk-secret-42")
        try:
            with pytest.raises(OAuthError, match="invalid_client_secret") as caught:
                signed_calls(runtime)
            assert "not-the-desk-secret-42" not in str(caught.value)
            assert SANDBOX_REFRESH_TOKEN not in str(caught.value)
        finally:
            store.close()


@pytest.mark.slow
def test_a_person_logs_in_through_the_pontes_server(tmp_path):
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    with serve_app(build_app(auto_approve=True)) as url:
        connection = {k: v for k, v in sandbox_settings(url).items() if k != "access_token"}
        config = Config.model_validate({
            "store": f"sqlite:///{tmp_path / 'pontes.db'}", "public_url": public_url,
            "plugins": ["zohodesk"], "connections": {"desk": connection}})
        runtime = Runtime.build(config, key=KEY)
        store = Store.open(config.store, key=KEY)
        app = create_app(runtime, store, Settings(admin_token=ADMIN_TOKEN), key=KEY)
        try:
            with serve_app(app, port=port):
                answer = httpx.get(f"{public_url}/oauth/desk/start", follow_redirects=True,
                                   timeout=10)
                assert answer.status_code == 200, answer.text
                start, authorize = answer.history
                page = httpx.URL(start.headers["location"])
                assert page.path == "/accounts/oauth/v2/auth"
                assert page.params["access_type"] == "offline"
                assert "Desk.tickets.ALL" in page.params["scope"].split(",")
                back = httpx.URL(authorize.headers["location"])
                assert back.path == "/oauth/desk/callback" and back.params["location"] == "com"
                stored = store.vault.load_token("desk").values
                assert stored["refresh_token"] and stored["extra"]["api_domain"] == url
                assert SANDBOX_CLIENT_SECRET not in answer.text
                assert signed_calls(runtime) == []
        finally:
            store.close()
