"""The sandbox toolkit: faults, request log, rate windows, webhooks and reset, served for real."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest
from pontes.sandbox import SandboxControl, WebhookSender, WindowLimiter, sandbox_app
from pontes.testing import free_port, serve_app
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN = "sandbox-token-123"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class TicketSandbox:
    """A tiny vendor built from the toolkit: tickets behind a query-string token.

    ``POST /tickets`` stores a ticket and sends the ``ticket.created`` webhook to every
    subscribed URL; ``GET /tickets`` lists them within 3 requests per minute per token.
    """

    def __init__(self) -> None:
        self.tickets: list[dict] = []
        self.subscribers: list[tuple[str, bool]] = []
        self.started = False
        self.clock = Clock()
        self.control = SandboxControl(self.reset_state, secret_params=("token",), secrets=[TOKEN])
        self.limit = self.control.limiter(3, 60.0, clock=self.clock)

    def reset_state(self) -> None:
        self.tickets.clear()
        self.subscribers.clear()

    async def startup(self) -> None:
        self.started = True

    def _refused(self, request: Request) -> Response | None:
        token = request.query_params.get("token")
        if token != TOKEN:
            return JSONResponse({"message": "invalid token"}, status_code=401)
        wait = self.limit.hit(token)
        if wait is not None:
            return JSONResponse({"message": "too many requests"}, status_code=429,
                                headers={"Retry-After": str(int(wait))})
        return None

    async def list_tickets(self, request: Request) -> Response:
        return self._refused(request) or JSONResponse(self.tickets)

    async def create_ticket(self, request: Request) -> Response:
        refused = self._refused(request)
        if refused:
            return refused
        ticket = {"id": len(self.tickets) + 1, **await request.json()}
        self.tickets.append(ticket)
        for url, form in self.subscribers:
            body = {"id": str(ticket["id"]), "event": "created"} if form else ticket
            self.control.webhooks.send(url, body, form=form, headers={"X-Signature": "sig-1"})
        return JSONResponse(ticket, status_code=201)

    async def subscribe(self, request: Request) -> Response:
        spec = await request.json()
        self.subscribers.append((spec["url"], spec.get("form", False)))
        return JSONResponse({"subscribed": len(self.subscribers)})

    async def other(self, request: Request) -> Response:
        return JSONResponse({"other": True})

    def app(self) -> Starlette:
        return sandbox_app(
            [
                Route("/tickets", self.list_tickets, methods=["GET"]),
                Route("/tickets", self.create_ticket, methods=["POST"]),
                Route("/subscriptions", self.subscribe, methods=["POST"]),
                Route("/other", self.other, methods=["GET"]),
            ],
            self.control,
            on_startup=[self.startup],
        )


class Receiver:
    """A webhook receiver that records what it gets."""

    def __init__(self) -> None:
        self.received: list[dict] = []

    async def hook(self, request: Request) -> Response:
        self.received.append({
            "content_type": request.headers.get("content-type", ""),
            "signature": request.headers.get("x-signature"),
            "body": (await request.body()).decode(),
        })
        return JSONResponse({"result": "ok"})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])


@pytest.fixture
def sandbox():
    vendor = TicketSandbox()
    with serve_app(vendor.app()) as base_url, httpx.Client(base_url=base_url, timeout=5) as client:
        vendor.http = client
        yield vendor


@pytest.fixture
def receiver():
    hooks = Receiver()
    with serve_app(hooks.app()) as base_url:
        hooks.url = f"{base_url}/hook"
        yield hooks


def get_tickets(sandbox: TicketSandbox, **params) -> httpx.Response:
    return sandbox.http.get("/tickets", params={"token": TOKEN, **params})


def add_fault(sandbox: TicketSandbox, **spec) -> httpx.Response:
    return sandbox.http.post("/_sandbox/faults", json=spec)


# --- faults ----------------------------------------------------------------------------------


def test_startup_hooks_run(sandbox):
    assert sandbox.started


def test_a_fault_fails_the_next_count_matching_requests(sandbox):
    assert add_fault(sandbox, status=503, count=2, path="/tickets").json() == {"queued": 1}
    assert sandbox.http.get("/other").status_code == 200
    assert get_tickets(sandbox).status_code == 503
    assert get_tickets(sandbox).json() == {"message": "injected fault"}
    assert get_tickets(sandbox).status_code == 200


def test_a_fault_carries_retry_after_and_a_custom_body(sandbox):
    add_fault(sandbox, status=429, retry_after=1.5, body={"Message": "Too many failed requests"})
    response = get_tickets(sandbox)
    assert response.status_code == 429
    assert response.headers["retry-after"] == "2"
    assert response.json() == {"Message": "Too many failed requests"}


def test_a_fault_can_target_one_method(sandbox):
    add_fault(sandbox, status=500, method="POST", path="/tickets")
    assert get_tickets(sandbox).status_code == 200
    created = sandbox.http.post("/tickets", params={"token": TOKEN}, json={"subject": "a"})
    assert created.status_code == 500
    assert sandbox.tickets == []


def test_a_delay_fault_slows_the_answer_past_a_client_timeout(sandbox):
    add_fault(sandbox, delay=1.0, path="/other")
    with pytest.raises(httpx.ReadTimeout):
        sandbox.http.get("/other", timeout=0.1)
    assert sandbox.http.get("/other", timeout=0.5).status_code == 200


def test_a_delayed_fault_with_a_status_still_fails(sandbox):
    add_fault(sandbox, delay=0.05, status=502)
    assert get_tickets(sandbox).status_code == 502


def test_faults_can_be_cleared(sandbox):
    add_fault(sandbox, status=503, count=5)
    assert sandbox.http.delete("/_sandbox/faults").json() == {"queued": 0}
    assert get_tickets(sandbox).status_code == 200


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ({"status": 503, "colour": "red"}, "colour"),
        ({"status": 999}, "status"),
        ({"status": "503"}, "status"),
        ({"status": 503, "count": 0}, "count"),
        ({"status": 429, "retry_after": -1}, "retry_after"),
        ({"delay": "slow"}, "delay"),
        ({"status": 503, "path": 7}, "path"),
        ({}, "status"),
        ([503], "JSON object"),
    ],
)
def test_a_bad_fault_is_refused_naming_the_key(sandbox, spec, named):
    response = add_fault(sandbox, **spec) if isinstance(spec, dict) else sandbox.http.post(
        "/_sandbox/faults", json=spec)
    assert response.status_code == 400
    assert named in response.json()["error"]
    assert sandbox.control.faults == []


def test_a_fault_that_is_not_json_is_refused(sandbox):
    response = sandbox.http.post("/_sandbox/faults", content=b"{status: 503")
    assert response.status_code == 400


# --- request log -----------------------------------------------------------------------------


def test_the_request_log_masks_the_token_and_records_statuses(sandbox):
    add_fault(sandbox, status=503)
    get_tickets(sandbox, page="2")
    get_tickets(sandbox)
    sandbox.http.get("/tickets", params={"token": "wrong-one"})
    sandbox.http.get(f"/other/{TOKEN}")
    log = sandbox.http.get("/_sandbox/requests").json()
    assert log == [
        {"method": "GET", "path": "/tickets", "query": "token=***&page=2", "status": 503},
        {"method": "GET", "path": "/tickets", "query": "token=***", "status": 200},
        {"method": "GET", "path": "/tickets", "query": "token=***", "status": 401},
        {"method": "GET", "path": "/other/***", "query": "", "status": 404},
    ]
    assert TOKEN not in sandbox.http.get("/_sandbox/requests").text


# --- rate windows ----------------------------------------------------------------------------


def test_the_window_limiter_answers_429_until_the_window_frees(sandbox):
    assert [get_tickets(sandbox).status_code for _ in range(3)] == [200, 200, 200]
    refused = get_tickets(sandbox)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "60"
    sandbox.clock.now = 59.0
    assert get_tickets(sandbox).status_code == 429
    sandbox.clock.now = 60.0
    assert get_tickets(sandbox).status_code == 200


def test_window_limiter_counts_each_key_separately_and_reports_the_wait():
    clock = Clock()
    limiter = WindowLimiter(2, per_seconds=10.0, clock=clock)
    assert limiter.hit("a") is None
    clock.now = 4.0
    assert limiter.hit("a") is None
    assert limiter.hit("b") is None
    assert limiter.hit("a") == pytest.approx(6.0)
    clock.now = 10.0
    assert limiter.hit("a") is None
    assert limiter.hit("a") == pytest.approx(4.0)
    limiter.reset()
    assert limiter.hit("a") is None


# --- webhooks --------------------------------------------------------------------------------


def test_webhooks_are_delivered_as_json_with_headers_and_logged(sandbox, receiver):
    sandbox.http.post("/subscriptions", json={"url": receiver.url})
    sandbox.http.post("/tickets", params={"token": TOKEN}, json={"subject": "Printer"})
    deliveries = sandbox.http.get("/_sandbox/deliveries").json()
    assert deliveries == [{
        "url": receiver.url,
        "body": {"id": 1, "subject": "Printer"},
        "form": False,
        "headers": {"X-Signature": "sig-1"},
        "status": 200,
        "answer": '{"result":"ok"}',
        "error": None,
    }]
    assert receiver.received[0]["content_type"] == "application/json"
    assert receiver.received[0]["signature"] == "sig-1"


def test_webhooks_can_be_form_encoded(sandbox, receiver):
    sandbox.http.post("/subscriptions", json={"url": receiver.url, "form": True})
    sandbox.http.post("/tickets", params={"token": TOKEN}, json={"subject": "Printer"})
    sandbox.http.get("/_sandbox/deliveries")
    received = receiver.received[0]
    assert received["content_type"] == "application/x-www-form-urlencoded"
    assert parse_qs(received["body"]) == {"id": ["1"], "event": ["created"]}


def test_a_failed_delivery_records_the_error(sandbox):
    sandbox.http.post("/subscriptions", json={"url": f"http://127.0.0.1:{free_port()}/hook"})
    sandbox.http.post("/tickets", params={"token": TOKEN}, json={"subject": "x"})
    [delivery] = sandbox.http.get("/_sandbox/deliveries").json()
    assert delivery["status"] is None
    assert delivery["error"].startswith("ConnectError")


@pytest.mark.anyio
async def test_drain_waits_for_every_pending_delivery(receiver):
    sender = WebhookSender(timeout=5)
    for n in range(5):
        sender.send(receiver.url, {"n": n})
    await sender.drain()
    assert [d.status for d in sender.deliveries] == [200] * 5
    assert sorted(r["body"] for r in receiver.received) == [f'{{"n":{n}}}' for n in range(5)]


@pytest.mark.anyio
async def test_on_done_hears_of_every_delivery_answered_or_failed(receiver):
    sender = WebhookSender(timeout=5)
    done = []
    sender.send(receiver.url, {"n": 1}, on_done=done.append)
    sender.send(f"http://127.0.0.1:{free_port()}/hook", {"n": 2}, on_done=done.append)
    await sender.drain()
    assert sorted((d.body["n"], d.succeeded) for d in done) == [(1, True), (2, False)]


# --- reset -----------------------------------------------------------------------------------


def test_reset_empties_state_logs_faults_and_windows(sandbox, receiver):
    sandbox.http.post("/subscriptions", json={"url": receiver.url})
    sandbox.http.post("/tickets", params={"token": TOKEN}, json={"subject": "a"})
    get_tickets(sandbox)
    get_tickets(sandbox)
    add_fault(sandbox, status=500, path="/nowhere")
    sandbox.http.get("/_sandbox/deliveries")

    assert sandbox.http.post("/_sandbox/reset").json() == {"reset": True}

    assert sandbox.tickets == [] and sandbox.subscribers == []
    assert sandbox.control.faults == []
    assert sandbox.http.get("/_sandbox/requests").json() == []
    assert sandbox.http.get("/_sandbox/deliveries").json() == []
    # the window was full (3 calls); after reset three more pass
    assert [get_tickets(sandbox).status_code for _ in range(3)] == [200, 200, 200]
