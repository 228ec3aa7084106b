"""Outgoing webhooks: our signatures checked by the Standard Webhooks reference library,
and deliveries to a real receiver over loopback (taken, refused, unreachable)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import anyio
import pytest
from pontes.errors import VendorUnavailable
from pontes.notify.signing import BadSecret, headers, secret_bytes, signature
from pontes.notify.webhooks import OutgoingWebhook, body_of, deliver, message_id
from pontes.testing.server import free_port, serve_app
from standardwebhooks import Webhook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def test_the_reference_library_accepts_our_signature_and_refuses_a_changed_body():
    body = body_of("ticket.new_ticket", datetime(2026, 1, 2, tzinfo=UTC), {"n": 1})
    signed = headers(SECRET, "msg_1", int(datetime.now(UTC).timestamp()), body)
    assert Webhook(SECRET).verify(body, signed)["data"] == {"n": 1}
    with pytest.raises(Exception, match="(?i)signature"):
        Webhook(SECRET).verify(body.replace(b"1", b"2"), signed)


def test_a_signature_depends_on_the_id_and_the_timestamp():
    assert signature(SECRET, "msg_1", 10, b"{}") != signature(SECRET, "msg_2", 10, b"{}")
    assert signature(SECRET, "msg_1", 10, b"{}") != signature(SECRET, "msg_1", 11, b"{}")


@pytest.mark.parametrize("secret", ["whsec_not base64!", "whsec_c2hvcnQ="])
def test_a_secret_that_is_not_base64_or_too_short_is_refused_with_a_reason(secret):
    with pytest.raises(ValueError, match="webhook secret"):
        OutgoingWebhook.model_validate({"url": "https://h.example/x", "secret": secret})


def test_secret_bytes_names_the_expected_form():
    with pytest.raises(BadSecret, match="'whsec_' followed by base64"):
        secret_bytes("whsec_%%%")


def test_a_webhook_url_must_be_http_and_the_secret_never_shows():
    with pytest.raises(ValueError, match="https://"):
        OutgoingWebhook.model_validate({"url": "ftp://h.example/x", "secret": SECRET})
    hook = OutgoingWebhook.model_validate({"url": "https://h.example/x?token=abc",
                                           "secret": SECRET})
    assert SECRET not in repr(hook) and SECRET not in str(hook.model_dump())
    assert hook.shown_url == "https://h.example/x"


def test_the_message_id_is_the_same_for_every_attempt_of_one_event():
    assert message_id("evt-1", "new_ticket") == message_id("evt-1", "new_ticket")
    assert message_id("evt-1", "new_ticket") != message_id("evt-1", "mention")


def receiver(status: int, got: list):
    async def take(request: Request) -> Response:
        got.append((dict(request.headers), await request.body()))
        return Response(status_code=status)

    return Starlette(routes=[Route("/in", take, methods=["POST"])])


def test_a_delivery_is_signed_and_taken():
    got: list = []
    with serve_app(receiver(204, got)) as url:
        hook = OutgoingWebhook(url=f"{url}/in", secret=SECRET)
        body = body_of("ticket.overdue", datetime.now(UTC), {"k": "v"})
        sent = anyio.run(lambda: deliver([hook], "msg_abc", body))
    assert sent == [f"{url}/in"]
    (received_headers, received_body), = got
    assert received_headers["webhook-id"] == "msg_abc"
    assert Webhook(SECRET).verify(received_body, received_headers)["type"] == "ticket.overdue"


def test_a_refusing_or_unreachable_webhook_fails_with_a_retriable_error_without_secrets():
    got: list = []
    with serve_app(receiver(500, got)) as url:
        hooks = [OutgoingWebhook(url=f"{url}/in?token=hidden", secret=SECRET),
                 OutgoingWebhook(url=f"http://127.0.0.1:{free_port()}/gone", secret=SECRET)]
        with pytest.raises(VendorUnavailable) as failed:
            anyio.run(lambda: deliver(hooks, "msg_x", b"{}"))
    assert failed.value.retriable
    assert "HTTP 500" in str(failed.value) and "/gone" in str(failed.value)
    assert "hidden" not in str(failed.value) and SECRET not in str(failed.value)
    assert len(got) == 1
