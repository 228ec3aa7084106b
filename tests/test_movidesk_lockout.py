"""Bad Movidesk webhooks cannot lock the token out, end to end.

Movidesk locks a token out after three failed calls in a row. Webhooks naming tickets
that do not exist (each a 404 on ``/tickets`` and on ``/tickets/past``) are mixed into real
traffic through a real server; the Movidesk sandbox keeps Movidesk's limits (10 calls a
minute, the three-failures lock-out) with its minute shortened to ``MINUTE`` seconds, so
the same rules hold in seconds: every real event succeeds, every bogus one is dead at
once with its reason, and the sandbox locked the token out 0 times. An event may still be
tried again after a throughput 429 ("Too many requests"): with a minute this short, the
spread of a loaded machine's timers can make the sandbox count one call more in a window
than the connection's budget sent; never after a 404, never into a lock-out.
"""

from __future__ import annotations

import random

import httpx
import pytest
from e2e_support import movidesk_person, movidesk_ticket, seed_movidesk
from pontes.testing.stack import Stack
from pontes_demo import steps
from pontes_demo.installation import FAST_RETRIES

pytestmark = pytest.mark.slow

MINUTE = 2.0
"""Seconds the Movidesk sandbox (and the connection's budget) count as a minute."""

REAL_TICKETS = range(5001, 5021)
BOGUS_TICKETS = range(900_001, 900_101)
CLIENTS = 4


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack.running(
        tmp_path_factory.mktemp("lockout"),
        connections={"movidesk": ("movidesk", {}), "ploomes": ("ploomes", {})},
        integrations={"history": {"recipe": "ticket_history", "helpdesk": "movidesk",
                                  "crm": "ploomes", "options": {"create_clients": True}}},
        sandbox_options={"movidesk": {"requests_per_minute": 10, "minute": MINUTE},
                         "ploomes": {"requests_per_minute": 1200}},
        server_env=FAST_RETRIES,
    ) as running:
        yield running


def test_bogus_ticket_ids_never_lock_the_token_out(stack):
    seed_movidesk(
        stack,
        persons=[movidesk_person(f"cli-lote{n}", f"Cliente Lote {n}",
                                 f"lote{n}@cliente.example.com.br") for n in range(CLIENTS)],
        tickets=[movidesk_ticket(number, f"cli-lote{number % CLIENTS}", f"Pedido {number}")
                 for number in REAL_TICKETS])
    bodies = [{"Id": n} for n in [*REAL_TICKETS, *BOGUS_TICKETS]]
    random.Random(10).shuffle(bodies)
    url = stack.hook_url("history", "helpdesk")
    with httpx.Client(timeout=30) as client:
        for body in bodies:
            assert client.post(url, json=body).status_code == 200

    events = stack.wait_for_events("history", len(bodies), timeout=240)

    by_ticket = {int(e["entity_key"].removeprefix("ticket:")): e for e in events}
    real = [by_ticket[n] for n in REAL_TICKETS]
    bogus = [by_ticket[n] for n in BOGUS_TICKETS]
    assert [e["status"] for e in real] == ["succeeded"] * len(real)
    assert {e["status"] for e in bogus} == {"dead"}
    assert all(f"Movidesk has no ticket {n}" in by_ticket[n]["last_error"] for n in BOGUS_TICKETS)
    for event in bogus:
        attempts = stack.event(event["id"])["attempt_log"]
        assert [a["outcome"] for a in attempts][-1:] == ["dead"]
        assert all(a["outcome"] == "retry" and "Too many requests" in a["error"]
                   for a in attempts[:-1])
    with stack.sandbox("movidesk") as movidesk:
        assert movidesk.get("/_sandbox/lockouts").json() == {"lockouts": 0}
    recorded = [r for r in steps.ploomes_records(stack, "InteractionRecords")
                if "Pedido 50" in str(r.get("Content"))]
    assert len(recorded) == len(real)
