"""The installation the fuzz tests post to, and how they judge its answers.

``start_intake`` runs it (``pontes.testing.stack``): one connection per installed
connector that has a sandbox, and per connector one integration of the ``fuzz_intake``
recipe (``fuzz_intake.py``), which takes every event its webhook triggers parse. Events
are stored and never run (``PONTES_RUN_EVENTS=false``): the tests are about what the
server takes in. ``Intake.deliver`` posts one delivery and says what went wrong.

How many examples hypothesis draws depends on its profile: a few per test by default
(CI); ``make fuzz`` loads the ``fuzz`` profile (``examples``).
"""

from __future__ import annotations

import inspect
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from hostile import Delivery
from hypothesis import HealthCheck, settings
from pontes.plugins import load_plugins
from pontes.testing.stack import Stack
from prometheus_client.parser import text_string_to_metric_families

SUPPORT = Path(__file__).parent
CRASH = re.compile(r"(^|; )[\w.-]+ failed: ")
"""The reason stored when a trigger raised something other than ``InvalidPayload``."""
FULL_PROFILE = "fuzz"

settings.register_profile(FULL_PROFILE, max_examples=10_000, deadline=None, database=None,
                          suppress_health_check=list(HealthCheck))


def examples(in_ci: int, in_full: int) -> int:
    """``in_full`` under the ``fuzz`` profile (``make fuzz``), else ``in_ci``."""
    return in_full if settings.get_current_profile_name() == FULL_PROFILE else in_ci


def fuzz_settings(in_ci: int, in_full: int) -> settings:
    """Hypothesis settings of a fuzz test: the examples of the profile, no deadline (each
    example is a request to a real server), no example database."""
    return settings(max_examples=examples(in_ci, in_full), deadline=None, database=None,
                    suppress_health_check=list(HealthCheck))


# --- the installation ---------------------------------------------------------------------


RATE_OPTIONS = ("requests_per_minute", "requests_per_second")
"""The names sandboxes give their rate limit option."""


def unthrottled(connector: str) -> dict[str, Any]:
    """Sandbox options lifting the vendor's rate limit, where the sandbox has one: the fuzz
    measures pontes, not a vendor's budget."""
    sandbox = load_plugins().registry.sandboxes[connector]
    parameters = inspect.signature(sandbox.app).parameters
    return {name: 1_000_000 for name in RATE_OPTIONS if name in parameters}


@dataclass
class Intake:
    """The running installation, and how the tests post to it and read what it stored."""

    stack: Stack
    hook_urls: dict[str, str] = field(default_factory=dict)
    """Webhook URL by connector (of its ``fuzz-<connector>`` integration)."""
    repeats_seen: dict[str, float] = field(default_factory=dict)
    """The repeated-deliveries counter of each integration, when last read."""

    def __post_init__(self) -> None:
        self.client = httpx.Client(timeout=60)
        for entry in self.stack.admin("GET", "/integrations"):
            for hook in entry["webhooks"]:
                self.hook_urls[hook["connection"]] = hook["url"]

    def post(self, url: str, delivery: Delivery, **headers: str) -> httpx.Response:
        """POST ``delivery`` to ``url`` (no Content-Type header when it has none)."""
        if delivery.content_type:
            headers["content-type"] = delivery.content_type
        return self.client.post(url, content=delivery.body, headers=headers)

    def newest_id(self) -> int:
        """The id of the newest event stored (0 when none is)."""
        newest = self.stack.admin("GET", "/events", params={"limit": 1})
        return newest[0]["id"] if newest else 0

    def events_after(self, event_id: int, integration: str) -> list[dict[str, Any]]:
        """The events of ``integration`` stored after ``event_id``, oldest first (the tests
        post one delivery at a time, and one delivery stores a few events at most)."""
        found = self.stack.admin("GET", "/events",
                                 params={"integration": integration, "limit": 20})
        return sorted((e for e in found if e["id"] > event_id), key=lambda e: e["id"])

    def counter(self, name: str, integration: str) -> float:
        """The value of a counter of ``/metrics`` for ``integration`` (0 when absent)."""
        answer = self.client.get(f"{self.stack.server_url}/metrics")
        for family in text_string_to_metric_families(answer.text):
            for sample in family.samples:
                if sample.name == name and sample.labels.get("integration") == integration:
                    return sample.value
        return 0.0

    def server_log(self) -> str:
        """What the server printed so far."""
        return self.stack.server_log()

    def deliver(self, connector: str, delivery: Delivery) -> str | None:
        """Post ``delivery`` to ``connector``'s webhook URL and say what is wrong with how
        the server took it, or ``None`` when all is well: no 5xx, and the delivery stored
        as accepted, rejected or ignored with a reason, or recognised as a repeat."""
        integration = f"fuzz-{connector}"
        before = self.newest_id()
        answer = self.post(self.hook_urls[connector], delivery)
        stored = self.events_after(before, integration)
        statuses = [e["status"] for e in stored]
        if answer.status_code >= 500:
            return f"answered {answer.status_code}: {answer.text[:300]}"
        if answer.status_code >= 400:
            return _refusal_problem(answer, stored)
        if any(s not in ("received", "ignored") for s in statuses):
            return f"answered {answer.status_code} but stored {statuses}"
        if any(e["status"] == "ignored" and not e["last_error"] for e in stored):
            return "stored as ignored without a reason"
        if not stored:
            repeats = self.counter("pontes_events_duplicate_total", integration)
            if repeats <= self.repeats_seen.get(integration, 0):
                return f"answered {answer.status_code} but stored nothing, and it is no repeat"
            self.repeats_seen[integration] = repeats
        return None


def _refusal_problem(answer: httpx.Response, stored: list[dict[str, Any]]) -> str | None:
    """What is wrong with a 4xx answer and what it stored, or ``None``."""
    try:
        error = answer.json()["error"]
    except (ValueError, KeyError, TypeError):
        return f"answered {answer.status_code} without a JSON error: {answer.text[:200]!r}"
    if [e["status"] for e in stored] != ["rejected"] or stored[0]["last_error"] != error:
        return (f"answered {answer.status_code} ({error[:200]!r}) but stored "
                f"{[(e['status'], (e['last_error'] or '')[:100]) for e in stored]}")
    if CRASH.search(error):
        return f"a trigger crashed (a plugin bug): {error[:300]}"
    return None


def start_intake(workdir: Path, store: str, connectors: list[str]) -> Iterator[Intake]:
    """Run the installation in ``workdir`` on ``store`` for ``connectors``; yield it."""
    registry = load_plugins().registry
    integrations = {f"fuzz-{name}": {"recipe": "fuzz_intake", "source": name}
                    for name in connectors if registry.webhook_triggers(name)}
    env = {"PONTES_EXTRA_PLUGINS": "fuzz_intake", "PONTES_RUN_EVENTS": "false",
           "PONTES_POLL": "false",
           "PYTHONPATH": os.pathsep.join([str(SUPPORT), os.environ.get("PYTHONPATH", "")])}
    with Stack.running(workdir, connections={name: (name, {}) for name in connectors},
                       integrations=integrations,
                       sandbox_options={name: unthrottled(name) for name in connectors},
                       server_env=env, store=store) as stack:
        intake = Intake(stack)
        yield intake
        intake.client.close()
