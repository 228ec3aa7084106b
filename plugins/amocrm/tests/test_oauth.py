"""amoCRM's OAuth through a real pontes server and the amoCRM sandbox over loopback: the
login from ``/oauth/<connection>/start`` through amoCRM's authorize page, calls signed
with the stored token, a refresh that rotates the refresh token (the spent one is refused
afterwards), a revocation that puts the connection in "needs login", and fifty threads or five
processes that meet an expired token at once refreshing it once."""

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from pontes.config import Config
from pontes.engine import Settings
from pontes.oauth.wiring import attach_oauth
from pontes.plugin import Contact, NeedsLogin
from pontes.runtime import Runtime
from pontes.server.app import create_app
from pontes.store import Store
from pontes.testing import free_port, serve_app

from pontes_amocrm.sandbox import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET, build_app
from pontes_amocrm.sandbox import sandbox_settings as amocrm_sandbox_settings

KEY = b"amocrm-oauth-tests-key-0123456789"
CALLER = Path(__file__).with_name("oauth_caller.py")
ADMIN_TOKEN = "amocrm-oauth-tests-admin-token"


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def sandbox():
    """The amoCRM sandbox, approving logins at once, with a client of its own."""
    with serve_app(build_app(auto_approve=True)) as url, httpx.Client(base_url=url) as client:
        yield client


@pytest.fixture
def server(tmp_path, sandbox):
    """A pontes server on SQLite whose connection ``crm`` signs in at the sandbox."""
    port = free_port()
    public_url = f"http://127.0.0.1:{port}"
    connection = {**amocrm_sandbox_settings(str(sandbox.base_url)), "long_lived_token": None}
    config = Config.model_validate({"store": f"sqlite:///{tmp_path / 'pontes.db'}",
                                    "public_url": public_url, "plugins": ["amocrm"],
                                    "connections": {"crm": connection}})
    runtime = Runtime.build(config, key=KEY)
    store = Store.open(config.store, key=KEY)
    app = create_app(runtime, store, Settings(admin_token=ADMIN_TOKEN), key=KEY)
    with serve_app(app, port=port):
        yield public_url, runtime, store
    store.close()


def login_state(public_url: str) -> dict:
    answer = httpx.get(f"{public_url}/admin/api/connections",
                       headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    answer.raise_for_status()
    body = answer.json()
    rows = body if isinstance(body, list) else body.get("connections", body)
    [crm] = [row for row in rows if row.get("name") == "crm"]
    return crm["login"]


@pytest.mark.slow
@pytest.mark.anyio
async def test_login_rotation_and_revocation(server, sandbox):
    public_url, runtime, store = server
    connection = runtime.connections["crm"]
    assert login_state(public_url)["state"] == "needs_login"

    answer = httpx.get(f"{public_url}/oauth/crm/start", follow_redirects=True, timeout=10)
    assert answer.status_code == 200, answer.text
    start, authorize = answer.history
    page = httpx.URL(start.headers["location"])
    assert page.path == "/oauth" and page.params["client_id"] == SANDBOX_CLIENT_ID
    assert page.params["redirect_uri"] == f"{public_url}/oauth/crm/callback"
    assert httpx.URL(authorize.headers["location"]).params["referer"]
    assert login_state(public_url)["state"] == "logged_in"
    first = store.vault.load_token("crm").values

    created = await connection.call("contact.create", Contact(name="Ana Souza"))
    assert created.refs["crm"]
    assert sandbox.get("/_sandbox/tokens").json()["issued"] == 1

    sandbox.post("/_sandbox/tokens/expire").raise_for_status()
    found = await connection.call("contact.get", {"id": created.refs["crm"]})
    assert found.name == "Ana Souza"
    rotated = store.vault.load_token("crm").values
    assert sandbox.get("/_sandbox/tokens").json() == {"issued": 2, "live_refresh_tokens": 1}
    assert rotated["refresh_token"] != first["refresh_token"]
    assert rotated["access_token"] != first["access_token"]
    spent = sandbox.post("/oauth2/access_token", json={
        "client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET,
        "grant_type": "refresh_token", "refresh_token": first["refresh_token"],
        "redirect_uri": f"{public_url}/oauth/crm/callback"})
    assert spent.status_code == 401

    sandbox.post("/_sandbox/tokens/revoke").raise_for_status()
    with pytest.raises(NeedsLogin):
        await connection.call("contact.get", {"id": created.refs["crm"]})
    assert login_state(public_url)["state"] == "needs_login"
    shown = httpx.get(f"{public_url}/metrics").text + str(login_state(public_url))
    assert rotated["refresh_token"] not in shown and rotated["access_token"] not in shown


def test_the_authorize_page_shows_the_account_and_allow_sends_a_code_back():
    back = "https://pontes.example.com/oauth/crm/callback"
    with serve_app(build_app()) as url:
        page = httpx.get(f"{url}/oauth", params={"client_id": SANDBOX_CLIENT_ID, "state": "s1",
                                                 "redirect_uri": back, "mode": "popup"})
        stranger = httpx.get(f"{url}/oauth", params={"client_id": "someone-else"})
        allowed = httpx.post(f"{url}/oauth/allow", data={"redirect_uri": back, "state": "s1"})
        code = httpx.URL(allowed.headers["location"]).params["code"]
        token = httpx.post(f"{url}/oauth2/access_token", json={
            "client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET,
            "grant_type": "authorization_code", "code": code, "redirect_uri": back})
        again = httpx.post(f"{url}/oauth2/access_token", json={
            "client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET,
            "grant_type": "authorization_code", "code": code, "redirect_uri": back})
    assert page.status_code == 200
    assert "sandbox.amocrm.ru" in page.text and "Allow</button>" in page.text
    assert stranger.status_code == 400
    assert allowed.status_code == 302 and allowed.headers["location"].startswith(back + "?")
    assert httpx.URL(allowed.headers["location"]).params["state"] == "s1"
    assert set(token.json()) == {"token_type", "expires_in", "server_time", "access_token",
                                 "refresh_token"}
    assert again.status_code == 400


@pytest.mark.slow
def test_pontes_check_reports_needs_login_until_the_connection_logs_in(tmp_path, sandbox):
    settings = amocrm_sandbox_settings(str(sandbox.base_url))
    config = {"store": f"sqlite:///{tmp_path / 'pontes.db'}",
              "public_url": "http://127.0.0.1:8000", "plugins": ["amocrm"],
              "connections": {"crm": {**settings, "long_lived_token": None},
                              "crm_token": settings}}
    path = tmp_path / "pontes.yaml"
    path.write_text(json.dumps(config))
    env = {**os.environ, "PONTES_SECRET_KEY": "amocrm-check-tests-secret-key-0123"}
    pontes = [str(Path(sys.executable).with_name("pontes"))]

    check = subprocess.run([*pontes, "check", "-c", str(path)], capture_output=True,
                           text=True, env=env, timeout=60)
    login = subprocess.run([*pontes, "oauth", "login", "crm", "-c", str(path)],
                           capture_output=True, text=True, env=env, timeout=60)

    lines = check.stdout + check.stderr
    assert check.returncode == 1, lines
    assert re.search(r"^crm\s+amoCRM\s+FAILED: needs login", check.stdout, re.M), lines
    assert re.search(r"^crm_token\s+amoCRM\s+ok", check.stdout, re.M), lines
    url = httpx.URL(re.search(r"https?://\S+", login.stdout).group(0))
    assert url.path == "/oauth" and url.params["client_id"] == SANDBOX_CLIENT_ID
    assert SANDBOX_CLIENT_SECRET not in lines + login.stdout + login.stderr


@pytest.mark.slow
def test_fifty_threads_meeting_an_expired_token_refresh_it_once(store_url):
    with serve_app(build_app(auto_approve=True, requests_per_second=100)) as url:
        connection = {**amocrm_sandbox_settings(url, requests_per_second=100),
                      "long_lived_token": None}
        config = Config.model_validate({"store": store_url, "plugins": ["amocrm"],
                                        "connections": {"crm": connection}})
        store = Store.open(config.store, key=KEY)

        def runtime() -> Runtime:
            built = Runtime.build(config, key=KEY)
            attach_oauth(built, store.vault)
            return built

        session = runtime().connections["crm"].oauth
        code = httpx.URL(httpx.get(session.authorize_url("s"), follow_redirects=False)
                         .headers["location"]).params["code"]
        session.exchange_code(code)
        httpx.post(f"{url}/_sandbox/tokens/expire").raise_for_status()
        start = threading.Barrier(50)
        results: list[object] = []

        def caller() -> None:
            own = runtime().connections["crm"]

            async def call() -> object:
                try:
                    return await own.call("user.list", {})
                finally:
                    await own.aclose()

            start.wait()
            try:
                results.append(asyncio.run(call()))
            except Exception as exc:  # kept, so that the assertion names it
                results.append(exc)

        threads = [threading.Thread(target=caller) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        tokens = httpx.get(f"{url}/_sandbox/tokens").json()
        store.close()

    assert [r for r in results if not isinstance(r, list)] == []
    assert len(results) == 50
    assert tokens == {"issued": 2, "live_refresh_tokens": 1}


@pytest.mark.slow
def test_five_processes_meeting_an_expired_token_refresh_it_once(store_url, tmp_path):
    with serve_app(build_app(auto_approve=True, requests_per_second=200)) as url:
        connection = {**amocrm_sandbox_settings(url, requests_per_second=200),
                      "long_lived_token": None}
        raw = {"store": store_url, "plugins": ["amocrm"], "connections": {"crm": connection}}
        config = Config.model_validate(raw)
        store = Store.open(config.store, key=KEY)
        built = Runtime.build(config, key=KEY)
        attach_oauth(built, store.vault)
        session = built.connections["crm"].oauth
        code = httpx.URL(httpx.get(session.authorize_url("s"), follow_redirects=False)
                         .headers["location"]).params["code"]
        session.exchange_code(code)
        httpx.post(f"{url}/_sandbox/tokens/expire").raise_for_status()
        path = tmp_path / "config.json"
        path.write_text(json.dumps(raw))
        start = time.time() + 8
        callers = [subprocess.Popen([sys.executable, str(CALLER), str(path), str(start), "10"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(5)]
        outputs = [caller.communicate(timeout=90) for caller in callers]
        tokens = httpx.get(f"{url}/_sandbox/tokens").json()
        store.close()

    for caller, (out, err) in zip(callers, outputs, strict=True):
        assert caller.returncode == 0, out + err[-2000:]
        assert json.loads(out.strip().splitlines()[-1])["succeeded"] == 10
    assert tokens == {"issued": 2, "live_refresh_tokens": 1}
