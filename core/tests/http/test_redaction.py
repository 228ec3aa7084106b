"""Redaction: credentials never show in errors, URLs or log lines, however they travel.

Core knows only generic credential names; a vendor's own header and query parameter
names are declared by its client (``secret_headers``, ``secret_params``).
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from pontes.errors import AuthError, VendorUnavailable, VendorValidationError
from pontes.http import Redactor, is_secret_header
from pontes.testing import free_port

pytestmark = pytest.mark.anyio

TOKEN = "tok+en/with=odd&chars-123"
USER_KEY = "user-key-9f8e7d6c"
CUSTOM_SECRET = "custom-header-secret-42"
PIN = "pin-7f3a9b2c"
ASKED_PIN = "asked-pin-5e6d"


@pytest.fixture
def secret_client(client_for):
    """A client sending ``TOKEN`` in the query, and ``USER_KEY`` and ``CUSTOM_SECRET`` in
    headers."""
    def make(base_url: str, waits: list[float], **kwargs):
        return client_for(base_url, waits, auth_params={"token": TOKEN},
                          headers={"User-Key": USER_KEY, "X-Custom-Token": CUSTOM_SECRET},
                          **kwargs)
    return make


def secret_spellings() -> list[str]:
    return [TOKEN, quote(TOKEN, safe=""), USER_KEY, CUSTOM_SECRET]


def assert_no_secret(text: str) -> None:
    for secret in secret_spellings():
        assert secret not in text, f"secret {secret!r} leaked into: {text}"


async def test_the_secrets_are_really_sent(vendor, waits, secret_client):
    async with secret_client(vendor.base_url, waits) as client:
        await client.get_json("/tickets", params={"id": "1"})
    request = vendor.received[0]
    assert request.query_params["token"] == TOKEN
    assert request.query_params["id"] == "1"
    assert request.headers["user-key"] == USER_KEY
    assert request.headers["x-custom-token"] == CUSTOM_SECRET


async def test_secrets_echoed_by_the_vendor_never_leak(vendor, waits, secret_client, caplog):
    caplog.set_level(logging.DEBUG)
    echo = (f"token {TOKEN} (sent as {quote(TOKEN, safe='')}) is not valid for key "
            f"{USER_KEY}; header {CUSTOM_SECRET}")
    vendor.then(503, {"message": echo}).then(401, {"message": echo})
    async with secret_client(vendor.base_url, waits) as client:
        with pytest.raises(AuthError) as caught:
            await client.get_json("/tickets")
    error = caught.value
    assert "is not valid" in error.message
    assert "***" in error.message
    assert "token=***" in error.url
    for text in (str(error), repr(error), error.message, error.url):
        assert_no_secret(text)
    assert caplog.records, "the client should log its calls"
    assert any("retrying" in record.getMessage() for record in caplog.records)
    for record in caplog.records:
        assert_no_secret(record.getMessage())
    assert_no_secret(caplog.text)


async def test_secrets_never_leak_from_connection_failures(waits, secret_client, caplog):
    caplog.set_level(logging.DEBUG)
    closed = f"http://127.0.0.1:{free_port()}"
    async with secret_client(closed, waits, attempts=2) as client:
        with pytest.raises(VendorUnavailable) as caught:
            await client.get_json("/tickets")
    assert caught.value.__context__ is None
    assert_no_secret(str(caught.value))
    for record in caplog.records:
        assert_no_secret(record.getMessage())


async def test_httpx_request_lines_are_masked(vendor, waits, secret_client, caplog):
    caplog.set_level(logging.DEBUG)
    async with secret_client(vendor.base_url, waits) as client:
        await client.get_json("/tickets")
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("HTTP Request: GET" in line and "token=***" in line for line in lines)
    assert_no_secret(caplog.text)


def test_redactor_masks_parameters_headers_and_bearer_credentials():
    redactor = Redactor(["Bearer abcdef123456"], params=["sessionid"])
    url = redactor.url("https://v.test/api?sessionid=s1&api_key=k2&page=3")
    assert url == "https://v.test/api?sessionid=***&api_key=***&page=3"
    headers = redactor.headers({"Authorization": "Bearer abcdef123456", "Accept": "text/html",
                                "X-Api-Token": "zzz"})
    assert headers == {"Authorization": "***", "Accept": "text/html", "X-Api-Token": "***"}
    assert redactor.text("credential abcdef123456 refused") == "credential *** refused"

def test_core_knows_only_generic_credential_names():
    url = "https://v.test/x?token=t1&user_key=u2&access_token=a3&client_secret=c4&page=1"
    assert Redactor().url(url) == (
        "https://v.test/x?token=t1&user_key=u2&access_token=***&client_secret=***&page=1")
    assert Redactor(params=["token", "USER_KEY"]).url(url) == (
        "https://v.test/x?token=***&user_key=***&access_token=***&client_secret=***&page=1")
    assert is_secret_header("Authorization") and is_secret_header("X-Api-Key")
    assert not is_secret_header("X-Account-Pin")
    assert is_secret_header("X-Account-Pin", ["x-account-pin"])
    assert Redactor(headers=["X-ACCOUNT-PIN"]).headers({"X-Account-Pin": PIN, "Accept": "a"}) == {
        "X-Account-Pin": "***", "Accept": "a"}


async def test_a_vendors_own_secret_names_are_masked_once_declared(vendor, waits, client_for,
                                                                   caplog):
    caplog.set_level(logging.DEBUG)
    vendor.then(400, {"message": f"pin {PIN} cannot ask for {ASKED_PIN}"})
    async with client_for(vendor.base_url, waits, headers={"X-Account-Pin": PIN},
                          secret_headers=["X-Account-Pin"], secret_params=["pin"]) as client:
        with pytest.raises(VendorValidationError) as caught:
            await client.get_json("/tickets", params={"pin": ASKED_PIN, "page": "2"})
        assert client.redactor.headers({"x-account-pin": PIN}) == {"x-account-pin": "***"}
    request = vendor.received[0]
    assert request.headers["x-account-pin"] == PIN
    assert request.query_params["pin"] == ASKED_PIN
    assert caught.value.message == f"pin *** cannot ask for {ASKED_PIN}"
    assert caught.value.url.endswith("/tickets?pin=***&page=2")
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert any("HTTP Request: GET" in line and "pin=***" in line for line in lines)
    assert PIN not in caplog.text
    assert ASKED_PIN not in caplog.text
