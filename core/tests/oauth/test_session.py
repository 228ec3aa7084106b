"""An OAuth session against the test vendor: what a refresh does when its answer is lost,
vendors whose refresh tokens do not rotate, a refresh token given in the settings, and
the signed state."""

from __future__ import annotations

import asyncio

import pytest
from oauth_support import authorization_code, gate_config, gate_runtime, signed_client
from pontes.errors import ConfigError, VendorUnavailable, VendorValidationError
from pontes.oauth import NeedsLogin
from pontes.oauth.state import BadState, check_state, make_state


def call(client) -> dict:
    async def go() -> dict:
        async with client:
            return await client.get_json("/api/me")

    return asyncio.run(go())


def logged_in(store, vendor, **options):
    client, session = signed_client(store.vault, vendor.url, **options)
    session.exchange_code(authorization_code(vendor.url, session.redirect_uri))
    return client, session


def test_a_lost_refresh_answer_spends_a_rotating_token_and_needs_login(store, vendor):
    client, session = logged_in(store, vendor)
    vendor.control("expire")
    vendor.control("settings", refresh_fault=503)

    with pytest.raises(NeedsLogin, match="went unanswered"):
        call(client)
    vendor.control("settings", refresh_fault=0)
    again, _ = signed_client(store.vault, vendor.url)
    with pytest.raises(NeedsLogin, match="went unanswered"):
        call(again)

    assert session.status().state == "needs_login"
    assert vendor.stats() | {"notes": []} == {"refreshes": 1, "reused": 0, "notes": []}


def test_a_vendor_that_does_not_rotate_keeps_its_refresh_token(store, vendor):
    vendor.control("settings", rotate=False)
    client, session = logged_in(store, vendor, rotates=False)
    first = store.vault.load_token("gate").values
    vendor.control("expire")

    assert call(client) == {"client_id": "pontes-test-client"}

    now = store.vault.load_token("gate").values
    assert now["refresh_token"] == first["refresh_token"]
    assert now["access_token"] != first["access_token"]
    assert now["extra"]["api_domain"] == "https://api.gate.test"
    vendor.control("expire")
    vendor.control("settings", refresh_fault=503)
    again, _ = signed_client(store.vault, vendor.url, rotates=False)
    with pytest.raises(VendorUnavailable):
        call(again)
    assert session.status().state == "logged_in"


def test_a_refresh_token_in_the_settings_needs_no_login(store, vendor):
    _client, session = logged_in(store, vendor)
    given = store.vault.load_token("gate").values["refresh_token"]
    store.vault.forget("gate")

    client, seeded = signed_client(store.vault, vendor.url, refresh_token=given)

    assert seeded.status().state == "logged_in"
    assert call(client) == {"client_id": "pontes-test-client"}
    assert vendor.stats()["refreshes"] == 1
    assert store.vault.load_token("gate").values["refresh_token"] != given
    vendor.control("revoke")
    vendor.control("expire")
    with pytest.raises(NeedsLogin, match="refused the refresh token"):
        call(signed_client(store.vault, vendor.url, refresh_token=given)[0])


def test_tokens_are_masked_in_vendor_errors(store, vendor):
    client, _session = logged_in(store, vendor)
    access = store.vault.load_token("gate").values["access_token"]

    async def fail() -> str:
        async with client:
            with pytest.raises(VendorValidationError) as raised:
                await client.get_json("/api/echo-error")
        return str(raised.value)

    message = asyncio.run(fail())
    assert "cannot use" in message and access not in message


def test_a_connection_never_logged_in_needs_login(store, vendor):
    client, session = signed_client(store.vault, vendor.url)

    with pytest.raises(NeedsLogin, match="never logged in"):
        call(client)
    assert session.status().describe() == "needs login: never logged in"


def test_a_connection_used_without_its_store_says_so(vendor):
    runtime = gate_runtime(gate_config("sqlite:///unused.db", vendor.url))

    with pytest.raises(ConfigError, match="connections.gate: signs in with OAuth"):
        asyncio.run(runtime.connections["gate"].call("gate.note", key="k", text="t"))


def test_the_state_is_bound_to_its_connection_and_expires():
    key = b"installation key"
    state = make_state(key, "crm", now=1000.0, lifetime=60)

    check_state(key, "crm", state, now=1059.0)
    for other_key, connection, now, reason in [
        (key, "crm", 1061.0, "expired"), (key, "helpdesk", 1000.0, "another connection"),
        (b"other key", "crm", 1000.0, "not one pontes made"),
    ]:
        with pytest.raises(BadState, match=reason):
            check_state(other_key, connection, state, now=now)
    with pytest.raises(BadState, match="not one pontes made"):
        check_state(key, "crm", state[:-2] + "xx", now=1000.0)
