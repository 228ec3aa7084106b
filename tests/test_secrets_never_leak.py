"""No secret leaks, in any spelling, from anything a user can read.

One installation (Movidesk, Ploomes and Jivo sandboxes, a real server) runs every flow
with recognisable secrets: each vendor credential, Ploomes' webhook ValidationKey, the
admin token, the installation key, and the webhook and action tokens derived from it.
The vendors misbehave on purpose: they echo the credentials they received in their error
messages, raw, percent-encoded and in base64 (alone and as ``user:secret``), and Ploomes
sends the thin deliveries that carry the ValidationKey in their body.

Then everything readable is scanned with ``pontes.testing.leaks`` (raw, percent-encoded
once or twice, JSON- and HTML-escaped, base64, base64 of the percent-encoded secret): the
server's log, every answer of the webhook, actions and admin endpoints, ``/metrics``,
every table of the store, the output of the CLI, and every table of an export to DuckDB.
It runs on a SQLite store, and on PostgreSQL (a database of its own) when
``PONTES_TEST_POSTGRES_URL`` names a server.

By design, a webhook token is part of the hook URL the operator pastes into the vendor,
and an action token is handed to the operator who configures a vendor's "POST request":
the hook URLs are allowed in exactly ``pontes hooks``, ``pontes activate`` and the admin
API's integrations, and a connection's action token in exactly the admin API's answer
for that token. Nowhere else.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

import duckdb
import httpx
import pytest
from pontes.testing.databases import (
    fresh_postgres_database,
    postgres_admin_url,
    require_postgres,
)
from pontes.testing.leaks import describe_leaks, find_leaks
from pontes.testing.stack import Stack
from pontes_demo import steps
from pontes_demo.installation import FAST_RETRIES, INTEGRATION_USER, INTEGRATIONS
from sqlalchemy import create_engine, inspect, literal_column, select, table

pytestmark = pytest.mark.slow

MOVIDESK_TOKEN = "mvdk/Tok+en=7&q 9x~"
PLOOMES_KEY = "plms/Key+4=&w 2z~"
VALIDATION_KEY = "plval/Key+8=&t 5y~"
ADMIN_TOKEN = "adm/Tok+en=3&a 1b~"
"""Each with the characters URL encoders treat differently, so that every spelling of it
is a different text."""

MARIA_IN_PLOOMES = 40000123


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request, tmp_path_factory):
    """The store's URL: a SQLite file, then a PostgreSQL database made for the module
    (skipped, saying why, without ``PONTES_TEST_POSTGRES_URL``)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('secrets-store') / 'pontes.db'}"
        return
    with fresh_postgres_database(require_postgres(postgres_admin_url()),
                                 "pontes_secrets") as url:
        yield url


@pytest.fixture(scope="module")
def stack(tmp_path_factory, store):
    workdir = tmp_path_factory.mktemp("secrets")
    with Stack.running(
        workdir,
        connections={"movidesk": ("movidesk", {}),
                     "ploomes": ("ploomes", {"webhook_validation_key": VALIDATION_KEY}),
                     "jivo": ("jivo", {})},
        integrations=INTEGRATIONS,
        sandbox_options={"movidesk": {"requests_per_minute": 600, "token": MOVIDESK_TOKEN},
                         "ploomes": {"requests_per_minute": 1200, "user_key": PLOOMES_KEY}},
        server_env={**FAST_RETRIES, "PONTES_ADMIN_TOKEN": ADMIN_TOKEN},
        store=store,
    ) as running:
        yield running


@dataclass
class Readings:
    """Everything read from the installation: where, the text, and what it may show."""

    texts: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)

    def add(self, where: str, text: str, allowed: tuple[str, ...] = ()) -> None:
        """Keep ``text`` for the scan; ``allowed`` are the exact strings it may hold."""
        self.texts.append((where, text, allowed))

    def answer(self, where: str, response: httpx.Response, *allowed: str) -> httpx.Response:
        """Keep an HTTP answer, its headers included."""
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        self.add(where, f"{response.status_code}\n{headers}\n\n{response.text}", allowed)
        return response


def echo(secret: str) -> str:
    """What a careless vendor writes in an error: the credential it got, in every spelling,
    encoded twice too (a URL inside a URL, a form value packed into base64)."""
    every_byte = "".join(f"%{byte:02x}" for byte in secret.encode())
    twice = quote(quote(secret, safe=""), safe="")
    packed = base64.b64encode(quote_plus(secret).encode()).decode()
    return (f"credential {secret} ({quote(secret)}, {quote_plus(secret)}, {every_byte}) "
            f"refused; base64 {base64.b64encode(secret.encode()).decode()}, url-safe "
            f"{base64.urlsafe_b64encode(secret.encode()).decode().rstrip('=')}, basic auth "
            f"{base64.b64encode(f'pontes:{secret}'.encode()).decode()}; in a callback "
            f"{twice}, packed {packed}")


def cli(stack: Stack, *args: str) -> str:
    """Run ``pontes`` with the installation's configuration; its stdout and stderr."""
    done = subprocess.run([sys.executable, "-m", "pontes.cli", *args,
                           "--config", str(stack.config_path)],
                          env=stack.env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"pontes {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout + done.stderr


def fault(stack: Stack, vendor: str, **spec) -> None:
    """Queue a fault on a vendor's sandbox."""
    with stack.sandbox(vendor) as sandbox:
        sandbox.post("/_sandbox/faults", json=spec).raise_for_status()


def play_webhooks(stack: Stack, read: Readings, hook_urls: tuple[str, ...]) -> None:
    """A ticket goes to CRM history; one whose vendors echo the credentials dies; a deal
    opens a ticket through a thin Ploomes delivery; a chat becomes a lead; bad deliveries
    are refused."""
    # Both print the hook URLs for the operator to paste into the vendors: allowed here.
    read.add("pontes activate", cli(stack, "activate", "deal-ticket"), hook_urls)
    read.add("pontes hooks", cli(stack, "hooks"), hook_urls)
    steps.movidesk_automation(stack, "support-history")
    steps.movidesk_set_status(stack, 1001)
    stack.wait_for_events("support-history", 1)

    fault(stack, "movidesk", status=503, path="/public/v1/tickets", method="GET",
          body={"Message": echo(MOVIDESK_TOKEN)})
    fault(stack, "ploomes", status=400, path="/InteractionRecords", method="POST",
          body={"error": {"code": "", "message": echo(PLOOMES_KEY) + echo(VALIDATION_KEY)}})
    steps.movidesk_set_status(stack, 1002)
    (dead,) = [e for e in stack.wait_for_events("support-history", 2) if e["status"] == "dead"]
    assert "refused" in dead["last_error"] and "***" in dead["last_error"]

    with stack.sandbox("ploomes") as ploomes:
        ploomes.post("/_sandbox/ploomes/config", json={"webhook_shape": "thin"}).raise_for_status()
    steps.movidesk_automation(stack, "deal-ticket")
    user = steps.ploomes_user_id(stack, INTEGRATION_USER)
    steps.ploomes_create_deal(stack, "Implantação com chave", MARIA_IN_PLOOMES, owner_id=user)
    (opened,) = stack.wait_for_events("deal-ticket", 1)
    assert '"ValidationKey":"***"' in stack.event(opened["id"])["body"]

    steps.jivo_send(stack, "chat-leads", "chat_finished", sample="marcos-company")
    stack.wait_for_events("chat-leads", 1)

    history_url = stack.hook_url("support-history", "helpdesk")
    read.answer("a refused delivery", httpx.post(history_url, json={"Id": ["x"]}))
    read.answer("a wrong hook token", httpx.post(history_url.rsplit("/", 1)[0] + "/wrong",
                                                 json={"Id": 1001}))


def play_actions(stack: Stack, admin: httpx.Client, read: Readings) -> dict[str, str]:
    """Actions that succeed, get invalid input, and meet echoing vendors; returns the
    action tokens."""
    tokens = {}
    for name in ("movidesk", "ploomes"):
        answer = admin.get(f"/admin/api/connections/{name}/action-token")
        tokens[name] = answer.json()["token"]
        # The operator asks for this token to set up a vendor's "POST request": allowed here.
        read.answer(f"the admin API's action token of {name}", answer, tokens[name])

    def act(connection: str, action: str, body: object, *, in_query: bool = False) -> int:
        url = f"{stack.server_url}/actions/{connection}/{action}"
        if in_query:
            response = httpx.post(url, params={"token": tokens[connection]}, json=body, timeout=60)
        else:
            response = httpx.post(url, json=body, timeout=60,
                                  headers={"Authorization": f"Bearer {tokens[connection]}"})
        return read.answer(f"POST /actions/{connection}/{action}", response).status_code

    maria = {"email": "maria.souza@acme.example.com.br"}
    assert act("ploomes", "contact.find_by_email", maria) == 200
    assert act("ploomes", "contact.find_by_email", maria, in_query=True) == 200
    assert act("ploomes", "contact.find_by_email", {"email": 5}) == 422
    for status, answer in ((400, 422), (401, 502)):
        fault(stack, "ploomes", status=status, path="/Contacts",
              body={"error": {"code": "", "message": echo(PLOOMES_KEY)}})
        assert act("ploomes", "contact.find_by_email", maria) == answer
    fault(stack, "movidesk", status=400, path="/public/v1/tickets",
          body={"Message": echo(MOVIDESK_TOKEN)})
    assert act("movidesk", "ticket.get", {"id": "1001"}) == 422
    return tokens


def read_admin_api(stack: Stack, admin: httpx.Client, read: Readings,
                   hook_urls: tuple[str, ...]) -> None:
    """Every admin endpoint, every event in detail, a replay, and the refusals."""
    def get(path: str, *allowed: str) -> httpx.Response:
        return read.answer(f"GET {path}", admin.get(path), *allowed)

    for path in ("plugins", "connections", "events?limit=1000", "links", "cursors",
                 "openapi.json"):
        get(f"/admin/api/{path}")
    get("/admin/api/integrations", *hook_urls)  # the hook URLs to paste: allowed here
    for event in stack.events():
        get(f"/admin/api/events/{event['id']}")
    read.answer("replay-dead", admin.post("/admin/api/events/replay-dead"))
    stack.wait_until(lambda: not [e for e in stack.events() if e["status"] in
                                  ("received", "running")], 60, "the replayed events")
    read.answer("a wrong admin token", httpx.get(f"{stack.server_url}/admin/api/events",
                                                 headers={"Authorization": "Bearer wrong"}))
    read.answer("/metrics", httpx.get(f"{stack.server_url}/metrics"))
    read.answer("/healthz", httpx.get(f"{stack.server_url}/healthz"))


def read_cli_and_export(stack: Stack, read: Readings) -> None:
    """``pontes events`` and ``links`` (table and JSON), ``check``, and an export to DuckDB
    with every table it wrote."""
    for args in (("events",), ("events", "--json"), ("links",), ("links", "--json"),
                 ("check",)):
        read.add(f"pontes {' '.join(args)}", cli(stack, *args))
    warehouse = stack.workdir / "warehouse.duckdb"
    read.add("pontes export", cli(stack, "export", "movidesk", "--to", str(warehouse),
                                  "--no-progress"))
    with duckdb.connect(str(warehouse), read_only=True) as db:
        tables = db.execute("SELECT table_schema, table_name FROM information_schema.tables"
                            ).fetchall()
        assert any(name.endswith("_tickets") for _, name in tables), tables
        for schema, name in tables:
            rows = db.execute(f'SELECT * FROM "{schema}"."{name}"').fetchall()
            read.add(f"export table {schema}.{name}", json.dumps(rows, default=str,
                                                                 ensure_ascii=False))


def read_store(store: str, read: Readings) -> None:
    """Every row of every table of the store, events and attempts included (Procrastinate's
    jobs too, on PostgreSQL)."""
    engine = create_engine(store)
    try:
        names = inspect(engine).get_table_names()
        assert {"events", "attempts"} <= set(names), names
        with engine.connect() as connection:
            for name in names:
                rows = connection.execute(select(literal_column("*")).select_from(table(name))).all()
                text = "\n".join(repr(tuple(
                    bytes(v).decode("utf-8", "replace") if isinstance(v, bytes | memoryview)
                    else v for v in row)) for row in rows)
                read.add(f"store table {name}", text)
    finally:
        engine.dispose()


def test_no_secret_shows_anywhere_in_any_spelling(stack, store):
    hook_urls = tuple(hook.url for hook in stack.runtime.hook_urls())
    read = Readings()
    admin = httpx.Client(base_url=stack.server_url, timeout=30,
                         headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    with admin:
        play_webhooks(stack, read, hook_urls)
        action_tokens = play_actions(stack, admin, read)
        read_admin_api(stack, admin, read, hook_urls)
    read_cli_and_export(stack, read)
    read_store(store, read)
    read.add("the server log", stack.server_log())

    secrets = {"Movidesk token": MOVIDESK_TOKEN, "Ploomes User-Key": PLOOMES_KEY,
               "Ploomes ValidationKey": VALIDATION_KEY, "admin token": ADMIN_TOKEN,
               "installation key": stack.env["PONTES_SECRET_KEY"],
               **{f"webhook token of {url}": url.rsplit("/", 1)[1] for url in hook_urls},
               **{f"action token of {name}": token for name, token in action_tokens.items()}}
    leaks = []
    for where, text, allowed in read.texts:
        for value in allowed:
            text = text.replace(value, "<allowed>")
        leaks.extend(find_leaks(text, secrets, where))
    assert not leaks, describe_leaks(leaks)
