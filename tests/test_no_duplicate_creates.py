"""No record is created twice at a vendor, whatever happens to the calls and the process.

End to end: a real ``pontes serve`` process on SQLite, the Movidesk and Ploomes sandboxes,
tickets recorded in the CRM client's history (``ticket_history``). The vendor's own state
is counted at the end: one interaction record per ticket, never two.

- Faults of every kind strike a share of the calls, before the sandbox processes them
  (429, 503, time-outs, dropped connections) and after it has stored the record (a late
  answer, a 5xx, a dropped connection): the ambiguous failures.
- The server is killed with SIGKILL in the middle of a burst of deliveries, while runs sit
  between the vendor's answer and pontes writing it down, then restarted and drained.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from e2e_support import movidesk_person, movidesk_ticket, ploomes_insert, seed_movidesk
from pontes.testing.stack import Stack
from pontes_demo import steps
from pontes_demo.installation import FAST_RETRIES

pytestmark = pytest.mark.slow

FAULTED_EVENTS = 200
FAULT_RATE = 0.2
BURST = 500
KILL_AFTER = 250
CLIENTS = 10
PLOOMES_TIMEOUT = 1.0
LATE = 1.6
"""Seconds a late answer takes: longer than the Ploomes client waits."""

RECORDS = "/InteractionRecords"
TICKET_ID = re.compile(r"Ticket id: (\d+)")

FAULT_KINDS = [
    {"status": 429, "retry_after": 1},
    {"status": 503},
    {"drop": True},
    {"delay": LATE},
    {"delay": LATE, "commit_first": True},
    {"status": 502, "commit_first": True},
    {"drop": True, "commit_first": True},
]
"""Refused, failed, cut off or too slow before processing; answered late, with a 5xx or
not at all after the record was stored."""


def installation(workdir, integration: str):
    fast = {"requests_per_minute": 6000}
    return Stack.running(
        workdir,
        connections={"movidesk": ("movidesk", {}),
                     "ploomes": ("ploomes", {"timeout_seconds": PLOOMES_TIMEOUT})},
        integrations={integration: {"recipe": "ticket_history", "helpdesk": "movidesk",
                                    "crm": "ploomes", "max_attempts": 40}},
        sandbox_options={"movidesk": fast, "ploomes": fast},
        server_env=FAST_RETRIES)


def seed_tickets(stack: Stack, first: int, count: int) -> list[int]:
    """``count`` open tickets from ``first`` on, spread over clients known to both
    vendors (found in Ploomes by e-mail)."""
    people = [(f"cli-dup-{n}", f"Cliente {n}", f"cliente{n}@duplicados.example")
              for n in range(CLIENTS)]
    seed_movidesk(stack, persons=[movidesk_person(pid, name, email)
                                  for pid, name, email in people])
    ploomes_insert(stack, "Contacts", [{"Name": name, "TypeId": 2, "Email": email}
                                       for _, name, email in people])
    numbers = list(range(first, first + count))
    for start in range(0, count, 100):
        seed_movidesk(stack, tickets=[
            movidesk_ticket(n, people[n % CLIENTS][0], f"Pedido {n}", status="Resolvido")
            for n in numbers[start:start + 100]])
    return numbers


def recorded(stack: Stack, numbers: list[int]) -> Counter[int]:
    """How many interaction records the CRM holds for each of ``numbers``."""
    wanted = set(numbers)
    found: Counter[int] = Counter()
    for row in steps.ploomes_records(stack, "InteractionRecords"):
        match = TICKET_ID.search(str(row.get("Content") or ""))
        if match and int(match.group(1)) in wanted:
            found[int(match.group(1))] += 1
    return found


def recovered(stack: Stack, integration: str) -> int:
    """Events whose run found the record an earlier attempt had created."""
    retried = [e for e in stack.events(integration) if e["attempts"] > 1]
    return sum(1 for e in retried
               if any("created by an earlier attempt" in note
                      for note in (stack.event(e["id"])["result"] or {}).get("notes", [])))


async def deliver(url: str, numbers: list[int],
                  on_accepted: Callable[[int], None] = lambda count: None) -> set[int]:
    """Post one Movidesk "call webhook" delivery per ticket, 32 at a time; return the
    tickets whose delivery was answered 2xx."""
    accepted: set[int] = set()
    gate = asyncio.Semaphore(32)
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(timeout=10, limits=limits) as client:

        async def one(number: int) -> None:
            async with gate:
                try:
                    answer = await client.post(url, json={"Id": number})
                except httpx.HTTPError:
                    return
            if answer.is_success:
                accepted.add(number)
                on_accepted(len(accepted))

        await asyncio.gather(*(one(n) for n in numbers))
    return accepted


def test_faults_of_every_kind_create_no_record_twice(tmp_path):
    with installation(tmp_path, "faulted") as stack:
        numbers = seed_tickets(stack, 8001, FAULTED_EVENTS)
        with stack.sandbox("ploomes") as ploomes:
            for kind in FAULT_KINDS:
                ploomes.post("/_sandbox/faults", json={
                    **kind, "path": RECORDS, "method": "POST", "count": 10_000,
                    "chance": FAULT_RATE / len(FAULT_KINDS)}).raise_for_status()
            for path in (RECORDS, "/Contacts"):
                ploomes.post("/_sandbox/faults", json={
                    "status": 503, "path": path, "method": "GET", "count": 10_000,
                    "chance": FAULT_RATE / 2}).raise_for_status()
        assert asyncio.run(deliver(stack.hook_url("faulted", "helpdesk"), numbers)) == \
            set(numbers)
        events = stack.wait_for_events("faulted", FAULTED_EVENTS, timeout=240)

        assert [e["status"] for e in events] == ["succeeded"] * FAULTED_EVENTS
        counts = recorded(stack, numbers)
        assert {n: c for n, c in counts.items() if c > 1} == {}
        assert sorted(counts) == numbers
        with stack.sandbox("ploomes") as ploomes:
            log = ploomes.get("/_sandbox/requests").json()
        posts = [r for r in log if r["method"] == "POST" and r["path"] == RECORDS]
        assert len(posts) > FAULTED_EVENTS  # faults before processing made runs post again
        assert recovered(stack, "faulted") > 0  # and records stored before a lost answer were found


def test_kill_9_during_a_burst_creates_no_record_twice(tmp_path):
    with installation(tmp_path, "burst") as stack:
        numbers = seed_tickets(stack, 9001, BURST)
        with stack.sandbox("ploomes") as ploomes:
            # a slow read-back keeps runs between the vendor's answer and the link write
            ploomes.post("/_sandbox/faults", json={
                "delay": 0.3, "path": RECORDS, "method": "GET", "count": 100_000,
            }).raise_for_status()
        url = stack.hook_url("burst", "helpdesk")

        def kill_once(count: int) -> None:
            if count == KILL_AFTER:
                stack.stop(kill=True)

        accepted = asyncio.run(deliver(url, numbers, kill_once))
        assert stack.process.returncode == -9
        assert KILL_AFTER <= len(accepted) < BURST  # the kill cut the burst short

        stack.start_server()
        # the vendor delivers again what was never acknowledged
        assert asyncio.run(deliver(url, sorted(set(numbers) - accepted))) == \
            set(numbers) - accepted
        events = stack.wait_for_events("burst", BURST, timeout=240)

        assert all(e["status"] == "succeeded" for e in events)
        counts = recorded(stack, numbers)
        assert {n: c for n, c in counts.items() if c > 1} == {}
        assert sorted(counts) == numbers
        assert recovered(stack, "burst") > 0  # the kill caught runs in the gap
