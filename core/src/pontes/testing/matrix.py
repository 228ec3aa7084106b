"""The recipe matrix: each recipe's scenario, run end to end for every supported pair.

Each recipe's scenario is written once, against canonical records (a ``Client`` with a
name and an e-mail, a ticket subject). What differs per vendor is in a small adapter each
plugin ships as ``<plugin module>.testing.ADAPTER`` (a ``SandboxAdapter``): how to seed
its sandbox through the control routes, how to make the vendor send a trigger (an
agent's action, the webhook the vendor would post) and how to read the sandbox's state
back. ``matrix_cases`` pairs every supported assignment (``pontes.recipes.pairs``) with
the scenario of its recipe when each connector's adapter can play its role in it, so a
new plugin that ships an adapter joins the matrix by itself.

One ``Stack`` (the sandboxes of every connector involved and one real server) runs all
the pairs of a recipe (split by one role's connector when a vendor account cannot hold
them all): each pair is one integration in its configuration.

See ``docs/testing-plugins.md`` for how to write an adapter.
"""

from __future__ import annotations

import base64
import html
import importlib
import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..plugins import installed_plugins, load_plugins
from ..recipes.pairs import Pair, all_pairs
from .server import serve_app
from .stack import Stack, StackError

ADAPTER_MODULE = "testing"
"""The module of a plugin package that holds its adapter (``pontes_<vendor>.testing``)."""
FINISHED = ("succeeded", "dead", "ignored")
WAIT_SECONDS = 90.0
READ_INTERVAL = 0.5
FAST_RETRIES = {"PONTES_BACKOFF_BASE": "0.2", "PONTES_BACKOFF_CAP": "2",
                "PONTES_IDLE_INTERVAL": "0.2"}
"""Short retry back-offs and polling idle time, so a matrix run does not sit waiting."""


@dataclass(frozen=True)
class Client:
    """A canonical client, the same in every sandbox: a person with a name and an e-mail."""

    first_name: str
    last_name: str
    email: str

    @property
    def name(self) -> str:
        """First and last name."""
        return f"{self.first_name} {self.last_name}"


class SandboxAdapter:
    """What the matrix needs of one vendor's sandbox; a plugin overrides the methods its
    roles use and leaves the others (a supported pair whose scenario needs one its
    adapter lacks is reported by ``matrix_cases`` as uncovered, which fails the matrix).

    - ``connector``: the connector's name;
    - ``settings``: connection settings added to the sandbox's own;
    - ``sandbox_options``: options of the sandbox app (and of its settings);
    - ``integration_settings``: by recipe, what an integration of that recipe with this
      vendor in it needs in its configuration besides the scenario's options (a mapping,
      polling), whichever the other vendor is;
    - ``people_path``: the start of the API paths where the vendor's people are written
      (``/api/v4/contacts``), so the matrix can count the writes to them in the
      sandbox's request log (``person_writes``).
    """

    connector: str = ""
    settings: dict[str, Any] = {}
    sandbox_options: dict[str, Any] = {}
    integration_settings: dict[str, dict[str, Any]] = {}
    people_path: str = ""

    def prepare(self, stack: Stack, integration: str, role: str) -> None:
        """Set the vendor up for an integration once the server runs (register webhooks
        the way an operator would: ``activate(stack, integration)``, or an admin's rule).
        Nothing by default."""

    # --- as a helpdesk ------------------------------------------------------------------

    def open_ticket(self, stack: Stack, integration: str, client: Client,
                    subject: str) -> None:
        """Have ``client`` open a ticket with ``subject`` (the requester seeded first when
        the helpdesk needs it), so that the helpdesk sends ``integration`` the ticket
        event it would send (opened, or solved by an agent)."""
        raise NotImplementedError

    def open_card(self, stack: Stack, integration: str, client: Client) -> str:
        """Have ``client`` write in and an agent open the ticket's card, whose block for
        ``integration`` answers with the CRM panel; the panel frame's URL."""
        raise NotImplementedError

    def send_request(self, stack: Stack, integration: str, client: Client,
                     body: dict[str, Any]) -> None:
        """Set up the helpdesk's rule that POSTs ``body`` (with the helpdesk's own ticket
        placeholder filled in) to ``integration``'s request URL, then have ``client``
        write in so that the rule runs."""
        raise NotImplementedError

    def tickets(self, stack: Stack, subject: str) -> list[str]:
        """The requester e-mail of every ticket with this subject (one per ticket)."""
        raise NotImplementedError

    # --- people, as a helpdesk or as a CRM -------------------------------------------------

    def add_person(self, stack: Stack, client: Client) -> str:
        """Add ``client`` as a person through the vendor's API or UI, as an agent or a
        salesperson would (the vendor then notifies the integrations that listen, or
        shows the person to their polls); the person's id."""
        raise NotImplementedError

    def rename_person(self, stack: Stack, person_id: str, client: Client) -> None:
        """Give the person ``person_id`` the name of ``client`` through the vendor's API,
        as an agent or a salesperson would."""
        raise NotImplementedError

    def contacts(self, stack: Stack, email: str) -> list[str]:
        """The names of the vendor's people with this e-mail (compared without case)."""
        raise NotImplementedError

    # --- as a live chat -----------------------------------------------------------------

    def finish_chat(self, stack: Stack, integration: str, client: Client) -> None:
        """Have ``client`` chat with an agent until the chat ends, so that the chat
        product sends ``integration`` its finished-chat event."""
        raise NotImplementedError

    # --- as a CRM -----------------------------------------------------------------------

    def add_deal(self, stack: Stack, client: Client, title: str, owner: str) -> str:
        """Add ``client`` as a person and a deal called ``title`` for it, owned by the CRM
        user named ``owner``, as a salesperson would (the CRM then notifies the
        integrations whose webhooks are registered); the deal's id."""
        raise NotImplementedError

    def add_user(self, stack: Stack, name: str) -> None:
        """Make sure the CRM has an active user called ``name``, as its administrator
        would before ``pontes activate``. Nothing by default: the CRM's ``user.ensure``
        creates it."""

    def deals(self, stack: Stack, title: str) -> list[str]:
        """The id of every deal (or lead) called ``title``."""
        raise NotImplementedError

    def add_contact(self, stack: Stack, client: Client) -> str:
        """Add ``client`` as a person to the CRM, as a salesperson would; its id."""
        raise NotImplementedError

    def history(self, stack: Stack, contact_id: str) -> list[str]:
        """The texts (title and body) of the history entries of a CRM person."""
        raise NotImplementedError


def overrides(adapter: SandboxAdapter, method: str) -> bool:
    """Whether ``adapter`` implements ``method`` rather than inheriting the base's."""
    return getattr(type(adapter), method) is not getattr(SandboxAdapter, method)


def activate(stack: Stack, integration: str) -> str:
    """Run ``pontes activate`` for an integration, as an operator does; what it printed."""
    result = subprocess.run(
        [sys.executable, "-m", "pontes.cli", "activate", integration, "--config",
         str(stack.config_path)], env=stack.env, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise AssertionError(f"pontes activate {integration} failed: {result.stderr}")
    return result.stdout


def settle(stack: Stack, integration: str | None) -> list[dict]:
    """Wait until every event of ``integration`` (of every integration: ``None``) has
    finished; return them."""
    found: list[dict] = []

    def finished() -> bool:
        nonlocal found
        found = stack.events(integration)
        return all(e["status"] in FINISHED for e in found)

    stack.wait_until(finished, WAIT_SECONDS,
                     f"every event of {integration or 'the stack'} to finish")
    return found


WRITES = ("POST", "PUT", "PATCH", "DELETE")


def person_writes(stack: Stack, adapter: SandboxAdapter) -> int:
    """How many writes to people (``adapter.people_path``) the vendor's sandbox has taken,
    from anyone, as its request log counts them."""
    if not adapter.people_path:
        raise AssertionError(f"the adapter of {adapter.connector} names no people_path")
    with stack.sandbox(adapter.connector) as sandbox:
        log = sandbox.get("/_sandbox/requests").raise_for_status().json()
    return sum(1 for entry in log if entry["method"] in WRITES
               and entry["path"].startswith(adapter.people_path))


def wait_for(stack: Stack, what: str, read: Callable[[], list[Any]]) -> list[Any]:
    """Wait until ``read()`` (which reads a sandbox) gives something; return it. Reads
    are spaced by ``READ_INTERVAL`` so they leave the vendor's rate limit to pontes."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = read()
        if found:
            return found
        time.sleep(READ_INTERVAL)
    raise StackError(f"timed out after {WAIT_SECONDS:.0f}s waiting for {what}\n"
                     f"server log (end):\n{stack.server_log()[-3000:]}")


def unique(label: str) -> str:
    """``label`` with a short random suffix, so cases sharing sandboxes never collide."""
    return f"{label}-{uuid.uuid4().hex[:8]}"


# --- scenarios ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """A recipe's end-to-end scenario: the adapter methods each role needs, the
    integration's options, and ``run(stack, case)``, which asserts. Every integration
    is activated (``pontes activate``) before the cases run, as an operator would."""

    recipe: str
    needs: dict[str, tuple[str, ...]]
    run: Callable[[Stack, MatrixCase], None]
    options: dict[str, Any] = field(default_factory=dict)
    prepare: Callable[[Stack, MatrixCase], None] | None = None
    """What an operator does before activating a case's integration."""
    stack_per: str | None = None
    """A role whose connectors each get a stack of their own, when one vendor account
    cannot hold every pair's set-up (Zoho Desk takes 10 webhooks); by default the
    recipe's cases share one stack."""
    outgoing_webhooks: bool = False
    """Whether each integration's ``webhooks`` option names the matrix's receiver
    (``SIGNAL_RECEIVER``), signed with ``WEBHOOK_SECRET``."""


WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"recipe-matrix-webhook-secret-32b").decode()
"""The secret of the outgoing webhooks the matrix receives."""


class SignalReceiver:
    """An operator's endpoint for outgoing webhooks: keeps every delivery it is sent."""

    def __init__(self) -> None:
        self._deliveries: list[tuple[dict[str, str], bytes]] = []
        self._lock = threading.Lock()

    async def _take(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            self._deliveries.append((dict(request.headers), body))
        return Response(status_code=204)

    def app(self) -> Starlette:
        """The receiving app (``POST /signals``)."""
        return Starlette(routes=[Route("/signals", self._take, methods=["POST"])])

    def deliveries(self, text: str) -> list[tuple[dict[str, str], bytes]]:
        """The headers and body of every delivery whose body contains ``text``."""
        with self._lock:
            return [(h, b) for h, b in self._deliveries if text in b.decode()]


SIGNAL_RECEIVER = SignalReceiver()
"""The receiver of every stack whose scenario has ``outgoing_webhooks``."""


def ticket_history(stack: Stack, case: MatrixCase) -> None:
    """A client known to the CRM opens a ticket; its CRM history gets one entry with the
    ticket's subject, written through the recipe's template."""
    helpdesk, crm = case.adapters["helpdesk"], case.adapters["crm"]
    tag = unique(case.integration)
    client = Client("Matrix", tag.replace("-", " ").title().replace(" ", ""),
                    f"{tag}@matrix.example")
    contact = crm.add_contact(stack, client)
    subject = f"Case {tag}"

    def entries() -> list[str]:
        return [text for text in crm.history(stack, contact) if subject in text]

    helpdesk.open_ticket(stack, case.integration, client, subject)
    wait_for(stack, f"{case.pair.label}: a history entry of {subject!r}", entries)
    settle(stack, case.integration)
    (entry,) = entries()
    assert f"Subject: {subject}" in entry, entry
    assert "Ticket id: " in entry and "Status: " in entry, entry


def chat_to_crm(stack: Stack, case: MatrixCase) -> None:
    """A new visitor finishes a chat; the CRM gets the visitor as one person, with the
    visitor's name and e-mail."""
    chat, crm = case.adapters["chat"], case.adapters["crm"]
    tag = unique(case.integration)
    client = Client("Visitor", tag.replace("-", " ").title().replace(" ", ""),
                    f"{tag}@matrix.example")

    def people() -> list[str]:
        return crm.contacts(stack, client.email)

    chat.finish_chat(stack, case.integration, client)
    wait_for(stack, f"{case.pair.label}: a person with {client.email}", people)
    settle(stack, case.integration)
    assert people() == [client.name]


def integration_user(stack: Stack, case: MatrixCase) -> str:
    """The CRM user whose deals open tickets: named after the helpdesk, by default."""
    return stack.runtime.connections[case.pair.roles["helpdesk"]].connector.title


def add_integration_user(stack: Stack, case: MatrixCase) -> None:
    """Have the CRM's administrator add the integration user."""
    case.adapters["crm"].add_user(stack, integration_user(stack, case))


def deal_to_ticket(stack: Stack, case: MatrixCase) -> None:
    """A salesperson gives a new client's deal to the integration user (named after the
    helpdesk); the helpdesk gets one ticket titled after the deal, from that client."""
    crm, helpdesk = case.adapters["crm"], case.adapters["helpdesk"]
    tag = unique(case.integration)
    client = Client("Buyer", tag.replace("-", " ").title().replace(" ", ""),
                    f"{tag}@matrix.example")
    title = f"Deal {tag}"
    owner = integration_user(stack, case)

    def requesters() -> list[str]:
        return helpdesk.tickets(stack, title)

    crm.add_deal(stack, client, title, owner)
    wait_for(stack, f"{case.pair.label}: a ticket {title!r}", requesters)
    settle(stack, case.integration)
    assert [email.casefold() for email in requesters()] == [client.email.casefold()]


def contact_sync(stack: Stack, case: MatrixCase) -> None:
    """Two-way sync: a person an agent adds to the helpdesk reaches the CRM once, and one
    a salesperson adds to the CRM reaches the helpdesk once, both with their names; then
    a new name given on either side reaches the other side with one write, and nothing
    is written back to the side that changed (no echo)."""
    helpdesk, crm = case.adapters["helpdesk"], case.adapters["crm"]
    tag = unique(case.integration)
    last = tag.replace("-", " ").title().replace(" ", "")
    agents = Client("Synced", last, f"{tag}@matrix.example")
    sales = Client("Sold", last, f"sold-{tag}@matrix.example")

    agents_id = copied(stack, case, helpdesk, crm, agents)
    sales_id = copied(stack, case, crm, helpdesk, sales)
    renamed(stack, case, helpdesk, crm, agents_id, Client("Renamed", last, agents.email))
    renamed(stack, case, crm, helpdesk, sales_id, Client("Renamed", last, sales.email))


def copied(stack: Stack, case: MatrixCase, source: SandboxAdapter, target: SandboxAdapter,
           client: Client) -> str:
    """Add ``client`` at ``source``; assert ``target`` gets one person with its name once
    everything has settled. The person's id at ``source``."""
    person_id = source.add_person(stack, client)
    wait_for(stack, f"{case.pair.label}: {client.email} copied from {source.connector} to "
             f"{target.connector}", lambda: target.contacts(stack, client.email))
    settle(stack, None)
    for side in (target, source):
        names = side.contacts(stack, client.email)
        assert names == [client.name], f"{side.connector} has {names} for {client.email}"
    return person_id


def renamed(stack: Stack, case: MatrixCase, source: SandboxAdapter, target: SandboxAdapter,
            person_id: str, client: Client) -> None:
    """Rename a synced person at ``source``; assert ``target`` takes the new name with
    one write and ``source`` is written nothing back."""
    settle(stack, None)
    written = {a.connector: person_writes(stack, a) for a in (source, target)}

    source.rename_person(stack, person_id, client)
    wait_for(stack, f"{case.pair.label}: the new name {client.name!r} copied from "
             f"{source.connector} to {target.connector}",
             lambda: [n for n in target.contacts(stack, client.email) if n == client.name])
    settle(stack, None)

    for side in (target, source):
        names = side.contacts(stack, client.email)
        assert names == [client.name], f"{side.connector} has {names} for {client.email}"
    copies = person_writes(stack, target) - written[target.connector]
    assert copies == 1, f"{target.connector} took {copies} writes of people, not one"
    echoes = person_writes(stack, source) - written[source.connector] - 1
    assert echoes == 0, f"{source.connector} was written {echoes} times after the rename"


def crm_panel(stack: Stack, case: MatrixCase) -> None:
    """An agent opens the card of a ticket from a client the CRM knows; the panel in the
    card shows that CRM person, once, by name. The card of a client the CRM does not
    know shows the panel's empty state, and no person."""
    helpdesk, crm = case.adapters["helpdesk"], case.adapters["crm"]
    tag = unique(case.integration)
    last = tag.replace("-", " ").title().replace(" ", "")
    client = Client("Panel", last, f"{tag}@matrix.example")
    stranger = Client("Stranger", last, f"stranger-{tag}@matrix.example")
    contact = crm.add_contact(stack, client)

    page = panel_page(helpdesk.open_card(stack, case.integration, client))
    assert page.count(f'data-contact="{contact}"') == 1, page[:2000]
    assert html.escape(client.name) in page

    page = panel_page(helpdesk.open_card(stack, case.integration, stranger))
    assert "data-contact=" not in page, page[:2000]
    assert page.count('class="notice-empty"') == 1, page[:2000]


def panel_page(frame: str) -> str:
    """The page of a panel frame, as the agent's browser loads it."""
    with httpx.Client(timeout=60.0) as browser:
        page = browser.get(frame)
    assert page.status_code == 200, page.text[:500]
    return page.text


def tickets_tab(stack: Stack, case: MatrixCase) -> None:
    """A client the CRM knows opens a ticket; the CRM person gets one "New ticket" note
    naming the helpdesk and the ticket's subject (the tab's new-ticket signal), and the
    operator's webhook one delivery of it, signed (checked by the Standard Webhooks
    reference library) and naming the ticket."""
    from standardwebhooks import Webhook  # a dev dependency, as the matrix only runs in tests

    helpdesk, crm = case.adapters["helpdesk"], case.adapters["crm"]
    tag = unique(case.integration)
    client = Client("Signal", tag.replace("-", " ").title().replace(" ", ""),
                    f"{tag}@matrix.example")
    contact = crm.add_contact(stack, client)
    subject = f"Case {tag}"
    title = stack.runtime.connections[case.pair.roles["helpdesk"]].connector.title

    def new_ticket_notes() -> list[str]:
        return [text for text in crm.history(stack, contact)
                if subject in text and "New ticket" in text]

    helpdesk.open_ticket(stack, case.integration, client, subject)
    wait_for(stack, f"{case.pair.label}: a new-ticket note of {subject!r}", new_ticket_notes)
    settle(stack, case.integration)
    (note,) = new_ticket_notes()
    assert f"{title}: New ticket" in note, note
    wait_for(stack, f"{case.pair.label}: the new_ticket webhook of {subject!r}",
             lambda: SIGNAL_RECEIVER.deliveries(subject))
    ((headers, body),) = SIGNAL_RECEIVER.deliveries(subject)
    signal = Webhook(WEBHOOK_SECRET).verify(body, headers)
    assert signal["type"] == "ticket.new_ticket", signal
    assert signal["data"]["helpdesk"] == case.pair.roles["helpdesk"], signal
    assert signal["data"]["ticket"]["subject"] == subject, signal


def request_example(stack: Stack, integration: str) -> tuple[str, dict[str, Any]]:
    """The request URL and the example body ``pontes hooks`` prints for ``integration``."""
    (url,) = [r.url for r in stack.runtime.request_urls() if r.integration == integration]
    printed = subprocess.run(
        [sys.executable, "-m", "pontes.cli", "hooks", "--config", str(stack.config_path)],
        env=stack.env, capture_output=True, text=True, timeout=120)
    if printed.returncode != 0:
        raise AssertionError(f"pontes hooks failed: {printed.stderr}")
    section = printed.stdout[printed.stdout.index(f"POST {url}"):]
    body, _end = json.JSONDecoder().raw_decode(section[section.index("{"):])
    return url, body


def deal_request(stack: Stack, case: MatrixCase) -> None:
    """A helpdesk rule posts the example request of ``pontes hooks`` when a client writes
    in; the CRM gets one deal with the requested title."""
    helpdesk, crm = case.adapters["helpdesk"], case.adapters["crm"]
    tag = unique(case.integration)
    client = Client("Asker", tag.replace("-", " ").title().replace(" ", ""),
                    f"{tag}@matrix.example")
    title = f"Deal {tag}"
    _url, body = request_example(stack, case.integration)
    body["fields"]["name"] = title

    def deals() -> list[str]:
        return crm.deals(stack, title)

    helpdesk.send_request(stack, case.integration, client, body)
    wait_for(stack, f"{case.pair.label}: a deal {title!r}", deals)
    settle(stack, case.integration)
    assert len(deals()) == 1


PEOPLE = ("add_person", "rename_person", "contacts")
"""What contact_sync needs of both sides' adapters."""

SCENARIOS: dict[str, Scenario] = {s.recipe: s for s in [
    Scenario("ticket_history", {"helpdesk": ("open_ticket",),
                                "crm": ("add_contact", "history")}, ticket_history),
    Scenario("deal_to_ticket", {"crm": ("add_deal",), "helpdesk": ("tickets",)},
             deal_to_ticket, prepare=add_integration_user),
    Scenario("contact_sync", {"helpdesk": PEOPLE, "crm": PEOPLE},
             contact_sync, options={"mode": "two_way"}, stack_per="helpdesk"),
    Scenario("crm_panel", {"helpdesk": ("open_card",), "crm": ("add_contact",)},
             crm_panel),
    Scenario("tickets_tab", {"helpdesk": ("open_ticket",),
                             "crm": ("add_contact", "history")}, tickets_tab,
             stack_per="crm", outgoing_webhooks=True),
    Scenario("deal_request", {"helpdesk": ("send_request",), "crm": ("deals",)},
             deal_request),
    Scenario("chat_to_crm", {"chat": ("finish_chat",), "crm": ("contacts",)}, chat_to_crm,
             options={"behaviour": "person_deal"}),
]}
"""Every recipe with a scenario, by name."""


# --- cases -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixCase:
    """One supported pair of a recipe, with the adapters of its connectors."""

    pair: Pair
    adapters: dict[str, SandboxAdapter]

    @property
    def integration(self) -> str:
        """The integration's name in the recipe's stack: recipe and connectors."""
        return "-".join([self.pair.recipe, *self.pair.roles.values()]).replace("_", "-")

    @property
    def stack(self) -> str:
        """The name of the stack the case runs in (see ``Scenario.stack_per``)."""
        split = SCENARIOS[self.pair.recipe].stack_per
        return "-".join([self.pair.recipe, *([self.pair.roles[split]] if split else [])])

    @property
    def id(self) -> str:
        """The case's test id."""
        return f"{self.pair.recipe}[{self.pair.label}]"


@dataclass(frozen=True)
class Uncovered:
    """A supported pair the matrix cannot run, and why."""

    pair: Pair
    reason: str


def adapters() -> dict[str, SandboxAdapter]:
    """The adapter of every installed plugin that ships one, by connector name."""
    found: dict[str, SandboxAdapter] = {}
    for info in installed_plugins():
        if not info.loaded:
            continue
        package = info.module.split(":", 1)[0]  # an entry point may name an object in it
        name = f"{package}.{ADAPTER_MODULE}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        adapter = module.ADAPTER
        found[adapter.connector] = adapter
    return found


def matrix_cases() -> tuple[list[MatrixCase], list[Uncovered]]:
    """Every supported pair: those the adapters can run, and those the matrix cannot (a
    recipe without a scenario, or an adapter method missing)."""
    known = adapters()
    cases, uncovered = [], []
    for pair in all_pairs(load_plugins().registry):
        scenario = SCENARIOS.get(pair.recipe)
        if not pair.supported:
            continue
        if scenario is None:
            uncovered.append(Uncovered(pair, f"recipe {pair.recipe} has no matrix scenario"))
            continue
        lacking = [f"{connector} has no adapter" if connector not in known
                   else f"{connector}'s adapter has no {method}"
                   for role, connector in pair.roles.items()
                   for method in scenario.needs.get(role, ())
                   if connector not in known or not overrides(known[connector], method)]
        if lacking:
            uncovered.append(Uncovered(pair, "; ".join(dict.fromkeys(lacking))))
        else:
            cases.append(MatrixCase(pair, {role: known[c] for role, c in pair.roles.items()}))
    return cases, uncovered


def integration_config(case: MatrixCase, options: dict[str, Any]) -> dict[str, Any]:
    """The configuration of a case's integration: its recipe, roles and ``options``, and
    what each of its adapters asks for in this recipe (``integration_settings``)."""
    config: dict[str, Any] = {"recipe": case.pair.recipe, **case.pair.roles,
                              "options": dict(options)}
    for adapter in case.adapters.values():
        config.update(adapter.integration_settings.get(case.pair.recipe, {}))
    return config


@contextmanager
def case_stack(workdir: Path, name: str, cases: list[MatrixCase]) -> Iterator[Stack]:
    """One stack for the cases whose ``stack`` is ``name``: a sandbox per connector (named
    after it), one integration per case, each activated, and each adapter's ``prepare``
    done."""
    chosen = [c for c in cases if c.stack == name]
    recipe = chosen[0].pair.recipe
    scenario = SCENARIOS[recipe]
    used = {a.connector: a for case in chosen for a in case.adapters.values()}
    with ExitStack() as receiving:
        options = dict(scenario.options)
        if scenario.outgoing_webhooks:
            receiver_url = receiving.enter_context(serve_app(SIGNAL_RECEIVER.app()))
            options["webhooks"] = [{"url": f"{receiver_url}/signals",
                                    "secret": WEBHOOK_SECRET}]
        integrations = {case.integration: integration_config(case, options)
                        for case in chosen}
        stack = receiving.enter_context(Stack.running(
            workdir, connections={name: (name, dict(a.settings)) for name, a in used.items()},
            integrations=integrations,
            sandbox_options={name: dict(a.sandbox_options)
                             for name, a in used.items() if a.sandbox_options},
            server_env=FAST_RETRIES))
        for case in chosen:
            if scenario.prepare is not None:
                scenario.prepare(stack, case)
            activate(stack, case.integration)
            for role, adapter in case.adapters.items():
                adapter.prepare(stack, case.integration, role)
        yield stack
