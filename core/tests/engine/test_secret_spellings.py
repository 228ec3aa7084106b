"""A vendor that echoes a connection's key back, percent-encoded or in base64, does not get
it through the actions endpoint: the error answers carry the vendor's words with every
spelling of the key masked, and so does the server log. A delivery that carries the key
is stored with it masked, in its body, headers and event."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

import httpx
import pytest
from engine_support import wait_until
from pontes.testing.leaks import describe_leaks, find_leaks

KEY = "ledger/Key+7=&z 42~"
"""The connection's key, with characters every URL encoder writes its own way."""


def echoes(secret: str) -> str:
    """What a careless vendor writes in its error: the key as it arrived, every way."""
    every_byte = "".join(f"%{byte:02x}" for byte in secret.encode())
    basic = base64.b64encode(f"ledger:{secret}".encode()).decode()
    return (f"key {quote(secret)} (form {quote_plus(secret)}, raw {every_byte}) is not valid; "
            f"as base64 {base64.b64encode(secret.encode()).decode()}, url-safe "
            f"{base64.urlsafe_b64encode(secret.encode()).decode().rstrip('=')}, "
            f"as basic auth {basic}")


@pytest.fixture
def server(tmp_path, start_server):
    return start_server(f"sqlite:///{tmp_path / 'pontes.db'}", env={"LEDGER_KEY": KEY})


def call_action(server, name: str, body: dict) -> httpx.Response:
    token = server.admin.get("/admin/api/connections/ledger-out/action-token").json()["token"]
    return httpx.post(f"{server.url}/actions/ledger-out/{name}", json=body,
                      headers={"Authorization": f"Bearer {token}"}, timeout=30)


@pytest.mark.parametrize(("status", "answer", "reason"), [
    (422, 422, "the vendor rejected the input"),
    (401, 502, "the vendor refused this connection's credentials"),
])
def test_a_vendor_echoing_the_key_in_any_spelling_gets_it_masked(server, sandbox, status,
                                                                  answer, reason):
    echoed = echoes(KEY)
    spellings = {leak.spelling for leak in find_leaks(echoed, {"key": KEY}, "the echo")}
    assert spellings == {"percent-encoded", "base64"}, "the echo must hold the key"
    sandbox.fault(status=status, path="/entries", body={"message": echoed})

    response = call_action(server, "ledger.append", {"key": "echo-1", "n": 1})

    assert response.status_code == answer
    assert response.json()["error"] == reason
    message = response.json()["message"]
    assert "is not valid; as base64" in message and "***" in message
    leaks = (find_leaks(response.text, {"key": KEY}, "the answer")
             + find_leaks(server.log(), {"key": KEY}, "the server log"))
    assert not leaks, describe_leaks(leaks)


def test_a_delivery_that_carries_the_key_is_stored_with_it_masked(server):
    body = {"id": "carries-key", "entity": "e1", "note": echoes(KEY)}

    answer = httpx.post(server.hook_url(), json=body, headers={"X-Echo": KEY}, timeout=30)

    assert answer.status_code == 200
    wait_until(lambda: [e for e in server.events() if e["status"] == "dead"], what="the event")
    (event,) = server.events()
    detail = server.event(event["id"])
    assert detail["event"]["payload"]["id"] == "carries-key"
    assert "is not valid; as base64" in detail["body"] and "***" in detail["body"]
    assert detail["headers"]["x-echo"] == "***"
    leaks = (find_leaks(json.dumps(detail, ensure_ascii=False), {"key": KEY}, "the event")
             + find_leaks(server.log(), {"key": KEY}, "the server log"))
    assert not leaks, describe_leaks(leaks)
