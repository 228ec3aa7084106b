"""OAuth through a real pontes server and the test vendor over loopback: login, tokens
stored encrypted, calls signed, refresh before expiry and on a 401, the refusals of the
callback, and the "needs login" state from a revoked refresh token to a replay.

The server runs on SQLite; the PostgreSQL row lock is what test_concurrency is about.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import click
import httpx
import pytest
from click.testing import CliRunner
from oauth_support import SECRET_KEY, gate_config, gate_runtime
from pontes.cli import check_command
from pontes.commands import oauth as oauth_commands
from pontes.oauth.state import make_state
from pontes.oauth.wiring import attach_oauth
from sqlalchemy import text

pytestmark = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)


def stored_row(store) -> bytes:
    with store.engine.connect() as conn:
        return bytes(conn.execute(text("SELECT blob FROM oauth_tokens "
                                       "WHERE connection = 'gate'")).scalar_one())


def needs_login_gauge(pontes) -> str | None:
    found = re.search(r'^pontes_connection_needs_login\{connection="gate"\} (\S+)$',
                      httpx.get(f"{pontes.url}/metrics").text, re.M)
    return found and found.group(1)


def test_login_stores_encrypted_tokens_and_signs_calls(pontes, vendor):
    answer = pontes.login()

    assert answer.status_code == 200 and "is logged in" in answer.text
    start, authorize = answer.history
    vendor_page = httpx.URL(start.headers["location"])
    assert str(vendor_page).startswith(f"{vendor.url}/authorize?")
    assert vendor_page.params["redirect_uri"] == f"{pontes.url}/oauth/gate/callback"
    assert vendor_page.params["scope"] == "notes" and vendor_page.params["state"]
    assert authorize.headers["location"].startswith(f"{pontes.url}/oauth/gate/callback?")
    token = pontes.store.vault.load_token("gate")
    access, refresh = token.values["access_token"], token.values["refresh_token"]
    assert access and refresh and token.expires_at is not None
    assert access.encode() not in stored_row(pontes.store)
    assert refresh.encode() not in stored_row(pontes.store)

    pontes.deliver(id="n1", text="hello")

    assert pontes.settled("gate:n1")["status"] == "succeeded"
    assert [n["text"] for n in vendor.stats()["notes"]] == ["hello"]
    shown = (answer.text + pontes.admin.get("/admin/api/connections").text
             + pontes.admin.get("/admin/api/events").text + httpx.get(f"{pontes.url}/metrics").text)
    assert access not in shown and refresh not in shown
    assert vendor.stats()["refreshes"] == 0


def test_the_callback_refuses_with_a_reason(pontes, vendor):
    callback = f"{pontes.url}/oauth/gate/callback"
    key = SECRET_KEY.encode()

    def status_and_text(url: str, **params: str) -> tuple[int, str]:
        answer = httpx.get(url, params=params)
        return answer.status_code, answer.text

    forged = make_state(b"another installation", "gate")
    assert status_and_text(callback, code="c", state=forged)[0] == 400
    assert "not one pontes made" in status_and_text(callback, code="c", state=forged)[1]
    expired = make_state(key, "gate", lifetime=-1)
    assert "expired" in status_and_text(callback, code="c", state=expired)[1]
    elsewhere = make_state(key, "other")
    assert "another connection" in status_and_text(callback, code="c", state=elsewhere)[1]
    assert "not one pontes made" in status_and_text(callback, code="c", state="a.b")[1]
    status, page = status_and_text(callback, error="access_denied",
                                   error_description="the user said no")
    assert status == 400 and "the user said no" in page
    status, page = status_and_text(callback, code="never-issued", state=make_state(key, "gate"))
    assert status == 400 and "invalid_grant" in page
    assert status_and_text(callback, state=make_state(key, "gate"))[0] == 400
    status, page = status_and_text(f"{pontes.url}/oauth/nobody/start")
    assert status == 404 and "no connection named &#x27;nobody&#x27;" in page
    assert pontes.store.vault.load_token("gate") is None


def test_tokens_are_refreshed_before_they_expire(pontes, vendor):
    vendor.control("settings", expires_in=120)  # inside the refresh margin
    pontes.login()
    vendor.control("settings", expires_in=3600)

    pontes.deliver(id="n2", text="soon stale")

    assert pontes.settled("gate:n2")["status"] == "succeeded"
    assert vendor.stats()["refreshes"] == 1
    expires_at = pontes.store.vault.load_token("gate").expires_at
    if expires_at.tzinfo is None:
        expires_at = expires_at.replace(tzinfo=UTC)
    assert expires_at > datetime.now(UTC) + timedelta(minutes=50)


def test_a_401_refreshes_once_and_sends_the_call_again(pontes, vendor):
    pontes.login()
    before = pontes.store.vault.load_token("gate").values
    vendor.control("expire")  # the vendor ends the access token early

    pontes.deliver(id="n3", text="after a 401")

    assert pontes.settled("gate:n3")["status"] == "succeeded"
    assert [n["text"] for n in vendor.stats()["notes"]] == ["after a 401"]
    assert vendor.stats()["refreshes"] == 1
    after = pontes.store.vault.load_token("gate").values
    assert after["refresh_token"] != before["refresh_token"]


def test_a_revoked_refresh_token_needs_login_until_a_new_login(pontes, vendor, monkeypatch):
    pontes.login()
    vendor.control("revoke")

    pontes.deliver(id="n4", text="while revoked")

    dead = pontes.settled("gate:n4")
    assert dead["status"] == "dead"
    assert "needs login: the vendor refused the refresh token" in dead["last_error"]
    assert "pontes oauth login gate" in dead["last_error"]
    [connection] = pontes.admin.get("/admin/api/connections").json()
    assert connection["login"]["state"] == "needs_login"
    assert "invalid_grant" in connection["login"]["reason"]
    assert needs_login_gauge(pontes) == "1.0"
    check = run_cli(monkeypatch, pontes, "check")
    assert check.exit_code == 1
    assert re.search(r"^gate\s+Gate\s+FAILED: needs login: the vendor refused the refresh "
                     r"token", check.output, re.M), check.output
    assert "needs login" in run_cli(monkeypatch, pontes, "oauth", "status").output

    assert pontes.login().status_code == 200
    replayed = pontes.admin.post(f"/admin/api/events/{dead['id']}/replay")

    assert replayed.status_code < 300, replayed.text
    assert pontes.settled("gate:n4")["status"] == "succeeded"
    assert [n["text"] for n in vendor.stats()["notes"]] == ["while revoked"]
    assert needs_login_gauge(pontes) == "0.0"
    check = run_cli(monkeypatch, pontes, "check")
    assert check.exit_code == 0
    assert re.search(r"^gate\s+Gate\s+ok \(logged in\)$", check.output, re.M), check.output


def test_check_says_a_connection_was_never_logged_in(pontes, monkeypatch):
    check = run_cli(monkeypatch, pontes, "check")

    assert check.exit_code == 1
    assert re.search(r"^gate\s+Gate\s+FAILED: needs login: never logged in$", check.output,
                     re.M), check.output
    assert needs_login_gauge(pontes) == "1.0"


def test_login_and_exchange_commands(pontes, vendor, monkeypatch):
    login = run_cli(monkeypatch, pontes, "oauth", "login", "gate")
    [url] = re.findall(r"^\s+(http\S+)$", login.output, re.M)
    redirect = httpx.get(url, follow_redirects=False).headers["location"]
    code = httpx.URL(redirect).params["code"]

    exchange = run_cli(monkeypatch, pontes, "oauth", "exchange", "gate", "--code", code)

    assert exchange.exit_code == 0 and "gate: logged in" in exchange.output
    assert code not in exchange.output
    assert pontes.store.vault.load_token("gate").values["access_token"]
    again = run_cli(monkeypatch, pontes, "oauth", "exchange", "gate", "--code", code)
    assert again.exit_code == 1 and "invalid_grant" in again.output
    unknown = run_cli(monkeypatch, pontes, "oauth", "login", "nobody")
    assert unknown.exit_code == 1 and "no connection 'nobody'" in unknown.output


def test_a_long_lived_token_bypasses_oauth(store, store_url, vendor):
    runtime = gate_runtime(gate_config(store_url, vendor.url, long_lived_token="fixed"))

    attach_oauth(runtime, store.vault)

    assert runtime.connections["gate"].oauth is None


def run_cli(monkeypatch, pontes, *args: str):
    """Run ``pontes <args> -c <config>`` on the server's configuration, in process."""
    monkeypatch.setenv("PONTES_SECRET_KEY", SECRET_KEY)
    monkeypatch.setattr(oauth_commands, "build_runtime",
                        lambda _path: gate_runtime(pontes.runtime.config.model_dump()))
    group = click.Group(commands=[check_command])
    oauth_commands.register(group)
    return CliRunner().invoke(group, [*args, "-c", "unused.yaml"])
