"""The plugin test kit: serving apps, sandbox connections, and the standard suite itself.

The suite is run with pytester on "echo", a tiny connector written below (a sandbox, three
canonical actions and one of its own, one webhook trigger, one mapper): it passes as
written, and each deliberately broken variant makes exactly the test that guards that
behaviour fail.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

import httpx
import pytest
from hypothesis import given, settings
from pontes.connector import ConnectionSettings
from pontes.models import Contact
from pontes.testing import (
    ServerError,
    free_port,
    secret_fields,
    serve_app,
    webhook_request,
    with_wrong_secrets,
)
from pontes.testing.connections import WRONG_SECRET
from pontes.testing.round_trip import records_with
from pydantic import BaseModel, SecretStr
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

pytest_plugins = ["pytester"]

ECHO_PLUGIN = '''
"""Echo: contacts behind an API key, a contact webhook, and a sandbox of it all."""

from pydantic import BaseModel, SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from pontes import hookimpl
from pontes.connector import (
    Action, ConnectionSettings, Connector, Mapper, Sandbox, WebhookTrigger,
)
from pontes.errors import InvalidPayload
from pontes.http import RetryPolicy, VendorClient
from pontes.models import Contact, Event
from pontes.sandbox import SandboxControl, sandbox_app

SANDBOX_KEY = "echo-sandbox-key"


class EchoSettings(ConnectionSettings):
    api_key: SecretStr


def client(name, settings):
    return VendorClient(connection=name, base_url=settings.base_url,
                        headers={"X-Api-Key": settings.api_key.get_secret_value()},
                        retry=RetryPolicy(attempts=1))


async def check(connection):
    await connection.client.get_json("/me")


def to_contact(raw, connection):
    return Contact(refs={connection: raw["id"]} if raw.get("id") else {},
                   name=raw.get("name"), emails=[raw["email"]] if raw.get("email") else [],
                   remote_data=raw)


def from_contact(contact, connection):
    return {"name": contact.name, "email": contact.email}


async def create_contact(connection, contact):
    raw = await connection.client.post_json("/contacts", json=from_contact(contact, connection.name))
    return to_contact(raw, connection.name)


async def get_contact(connection, params):
    found = await connection.client.get_json(f"/contacts/{params.id}")
    return to_contact(found, connection.name)


async def find_contact(connection, params):
    matches = await connection.client.get_json("/contacts", params={"email": params.email})
    return to_contact(matches[0], connection.name) if matches else None


class Rename(BaseModel):
    id: str
    name: str


async def rename_contact(connection, params):
    renamed = await connection.client.patch_json(f"/contacts/{params.id}",
                                                 json={"name": params.name})
    return to_contact(renamed, connection.name)


def parse(request):
    contact = (request.data or {}).get("contact") or {}
    if "id" not in contact:
        raise InvalidPayload("the body has no contact.id")
    return [Event(type="contact.changed", connection=request.connection,
                  idempotency_key=f"contact:{contact['id']}:{contact.get('version', 0)}",
                  entity_key=f"contact:{contact['id']}", record_id=str(contact["id"]),
                  payload=request.data)]


async def load(connection, event):
    return to_contact(await connection.client.get_json(f"/contacts/{event.record_id}"),
                      connection.name)


def build_app():
    contacts = {}
    control = SandboxControl(contacts.clear)

    def refused(request):
        if request.headers.get("x-api-key") != SANDBOX_KEY:
            return JSONResponse({"message": "invalid API key"}, status_code=401)
        return None

    async def me(request: Request):
        return refused(request) or JSONResponse({"user": "echo"})

    async def create(request: Request):
        if (answer := refused(request)) is not None:
            return answer
        contact = {"id": str(len(contacts) + 1), **await request.json()}
        contacts[contact["id"]] = contact
        return JSONResponse(contact, status_code=201)

    async def search(request: Request):
        if (answer := refused(request)) is not None:
            return answer
        email = request.query_params.get("email")
        return JSONResponse([c for c in contacts.values() if c.get("email") == email])

    async def get(request: Request):
        if (answer := refused(request)) is not None:
            return answer
        found = contacts.get(request.path_params["id"])
        if found is None:
            return JSONResponse({"message": "no such contact"}, status_code=404)
        return JSONResponse(found)

    async def change(request: Request):
        if (answer := refused(request)) is not None:
            return answer
        found = contacts.get(request.path_params["id"])
        if found is None:
            return JSONResponse({"message": "no such contact"}, status_code=404)
        found.update(await request.json())
        return JSONResponse(found)

    routes = [Route("/me", me), Route("/contacts", create, methods=["POST"]),
              Route("/contacts", search), Route("/contacts/{id}", get),
              Route("/contacts/{id}", change, methods=["PATCH"])]
    return sandbox_app(routes, control)


@hookimpl
def register_connectors():
    return [Connector(name="echo", title="Echo", roles=("crm",), settings=EchoSettings,
                      client=client, check=check)]


@hookimpl
def register_actions():
    return [Action(connector="echo", name="contact.create", handler=create_contact),
            Action(connector="echo", name="contact.get", handler=get_contact),
            Action(connector="echo", name="contact.find_by_email", handler=find_contact),
            Action(connector="echo", name="echo.contact.rename", handler=rename_contact,
                   input=Rename, output=Contact)]


@hookimpl
def register_triggers():
    return [WebhookTrigger(connector="echo", name="echo.contact", events=("contact.changed",),
                           parse=parse, load=load)]


@hookimpl
def register_mappers():
    return [Mapper(connector="echo", entity="contact", model=Contact,
                   to_canonical=to_contact, from_canonical=from_contact)]


@hookimpl
def register_sandboxes():
    return [Sandbox(connector="echo", app=build_app,
                    settings=lambda url: {"base_url": url, "api_key": SANDBOX_KEY})]
'''

ECHO_TESTS = '''
from hypothesis import strategies as st

import echo_plugin
from pontes.testing import ActionCase, ConnectorStandardTests, WebhookSample
from pontes.testing.round_trip import canonical_emails


async def a_contact(connection):
    """Store Bia in the sandbox (by its API, not the plugin's) and return her id."""
    stored = await connection.client.post_json("/contacts",
                                               json={"name": "Bia", "email": "bia@example.com"})
    return {"id": stored["id"]}


async def an_existing_email(connection):
    await a_contact(connection)
    return {"email": "bia@example.com"}


async def a_new_name(connection):
    return {**await a_contact(connection), "name": "Beatriz"}


class TestEcho(ConnectorStandardTests):
    connector = "echo"
    mapper_examples = 20

    def webhook_samples(self):
        return [
            WebhookSample("echo.contact", {"contact": {"id": 7, "version": 2}},
                          "application/json", ["contact.changed"]),
            ("echo.contact", b'{"contact": {"id": "8"}}', "application/json; charset=utf-8",
             ["contact.changed"]),
        ]

    def action_cases(self):
        return [
            ActionCase("contact.create", {"name": "Ana", "emails": ["Ana@Example.com"]},
                       check=lambda contact: contact.email == "ana@example.com"),
            ActionCase("contact.get", a_contact,
                       check=lambda contact: contact.email == "bia@example.com"),
            ActionCase("contact.find_by_email", an_existing_email,
                       check=lambda contact: contact.remote_data["name"] == "Bia"),
            ActionCase("contact.find_by_email", {"email": "nobody@example.com"},
                       expect_empty=True),
            ActionCase("echo.contact.rename", a_new_name,
                       check=lambda contact: contact.remote_data["name"] == "Beatriz"),
        ]

    def mapper_round_trip_fields(self):
        one_email = st.lists(canonical_emails(), min_size=1, max_size=1)
        return {"contact": ["name", ("emails", one_email)]}
'''

ECHO_CONFTEST = '''
import pytest

import echo_plugin
from pontes.plugins import load_plugins


@pytest.fixture(scope="session")
def pontes_registry():
    return load_plugins(enabled=[], extra=[echo_plugin]).registry
'''

FIXTURE_TESTS = '''
import httpx
import pytest

import echo_plugin


def test_sandbox_url_serves_a_fresh_sandbox_per_call(sandbox_url):
    first, second = sandbox_url("echo"), sandbox_url("echo")
    assert first != second
    created = httpx.post(f"{first}/contacts", json={"name": "Ana"},
                         headers={"X-Api-Key": echo_plugin.SANDBOX_KEY})
    assert created.status_code == 201
    assert len(httpx.get(f"{first}/_sandbox/requests").json()) == 1
    assert httpx.get(f"{second}/_sandbox/requests").json() == []


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_sandbox_connection_uses_the_sandbox_settings(sandbox_connection):
    connection = sandbox_connection("echo")
    other = sandbox_connection("echo", name="crm", base_url=str(connection.settings.base_url))
    assert connection.settings.api_key.get_secret_value() == echo_plugin.SANDBOX_KEY
    assert connection.name.startswith("echo-") and other.name == "crm"
    first = await connection.call("contact.create", {"name": "Bia"})
    second = await other.call("contact.create", {"name": "Caio"})
    assert (first.refs, second.refs) == ({connection.name: "1"}, {"crm": "2"})
'''

SUITE_TESTS = 15
"""How many tests the standard suite runs for echo (two webhook samples, five action cases)."""


def run_suite(pytester: pytest.Pytester, plugin: str = ECHO_PLUGIN, tests: str = ECHO_TESTS,
              **more_files: str) -> pytest.RunResult:
    pytester.makeconftest(ECHO_CONFTEST)
    pytester.makepyfile(echo_plugin=plugin, test_echo=tests, **more_files)
    # a subprocess, so the inner run cannot disturb this one's imports; plain asserts, as
    # the suite's assertions carry their own messages and rewriting costs seconds
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "--assert=plain", "-q", "-rfEs")


def failed_tests(result: pytest.RunResult) -> set[str]:
    """The names of the failed tests of ``TestEcho``, from the short summary."""
    prefix = "FAILED test_echo.py::TestEcho::"
    return {line[len(prefix):].split(" ")[0] for line in result.outlines
            if line.startswith(prefix)}


def broken(source: str, old: str, new: str) -> str:
    assert old in source, f"the variant no longer applies: {old!r}"
    return source.replace(old, new)


def test_the_suite_and_the_fixtures_pass_on_a_correct_connector(pytester):
    result = run_suite(pytester, test_fixtures=FIXTURE_TESTS)
    result.assert_outcomes(passed=SUITE_TESTS + 2)


BREAKAGES = [
    # (tests that must fail, what the plugin says, what the broken plugin says instead)
    (["test_check_rejects_wrong_credentials"],
     'await connection.client.get_json("/me")', "return None"),
    (["test_webhook_sample_parses[echo.contact]", "test_webhook_sample_parses[echo.contact#2]"],
     "idempotency_key=f\"contact:{contact['id']}:{contact.get('version', 0)}\"",
     "idempotency_key=__import__('uuid').uuid4().hex"),
    (["test_mapper_round_trip[contact]"],
     'name=raw.get("name")', 'name=raw.get("full_name")'),
    (["test_action_case[contact.create]"],
     "    return to_contact(raw, connection.name)",
     '    return to_contact({**raw, "id": None}, connection.name)'),
    (["test_every_action_has_a_case"],
     'handler=create_contact),',
     'handler=create_contact), Action(connector="echo", name="company.get", handler=load),'),
]


def test_each_broken_behaviour_fails_the_test_that_guards_it(pytester):
    plugin = ECHO_PLUGIN
    for _, old, new in BREAKAGES:
        plugin = broken(plugin, old, new)
    expected = {name for failing, _, _ in BREAKAGES for name in failing}
    result = run_suite(pytester, plugin)
    assert failed_tests(result) == expected
    result.assert_outcomes(passed=SUITE_TESTS - len(expected), failed=len(expected))


def test_coverage_cannot_shrink_silently(pytester):
    tests = ECHO_TESTS.replace("        return [", "        return []\n        return [")
    tests = broken(tests, '        return {"contact"', '        return {}\n        return {"contact"')
    result = run_suite(pytester, ECHO_PLUGIN, tests)
    assert failed_tests(result) == {"test_every_webhook_trigger_has_a_sample",
                                    "test_every_action_has_a_case",
                                    "test_every_mapper_is_round_tripped"}
    # with nothing listed, the per-item tests have nothing to run
    result.assert_outcomes(passed=4, failed=3, skipped=3)
    output = result.stdout.str()
    assert "webhook triggers without a sample: ['echo.contact']" in output
    assert ("actions without a case in action_cases(): ['contact.create', "
            "'contact.find_by_email', 'contact.get', 'echo.contact.rename']") in output
    assert "mappers without round-trip fields: ['contact']" in output


def test_an_action_must_answer_something_valid(pytester):
    plugin = broken(ECHO_PLUGIN, "return to_contact(found, connection.name)", "return None")
    plugin = broken(plugin, "return to_contact(renamed, connection.name)", 'return "renamed"')
    plugin = broken(plugin, "return to_contact(matches[0], connection.name) if matches else None",
                    "return None")
    result = run_suite(pytester, plugin)
    # the not-found case of contact.find_by_email expects nothing and still passes
    assert failed_tests(result) == {"test_action_case[contact.get]",
                                    "test_action_case[echo.contact.rename]",
                                    "test_action_case[contact.find_by_email]"}
    output = result.stdout.str()
    assert "contact.get did not answer a valid Contact" in output
    assert "echo.contact.rename did not answer a valid Contact" in output
    assert ("contact.find_by_email answered None; a case needs an answer that shows the "
            "action at work, or expect_empty=True") in output


def test_a_case_must_fit_the_action_and_expect_nothing_only_where_that_is_valid(pytester):
    tests = broken(ECHO_TESTS, 'ActionCase("contact.get", a_contact,',
                   'ActionCase("contact.get", a_contact, expect_empty=True,')
    tests = broken(tests, """            ActionCase("contact.find_by_email", an_existing_email,
                       check=lambda contact: contact.remote_data["name"] == "Bia"),
""", "")
    tests = broken(tests, '{"email": "nobody@example.com"}', "an_existing_email")
    tests = broken(tests, '{"name": "Ana", "emails"', '{"full_name": "Ana", "emails"')
    plugin = broken(ECHO_PLUGIN, "input=Rename, output=Contact)", "input=Rename)")
    result = run_suite(pytester, plugin, tests)
    assert failed_tests(result) == {"test_every_action_has_a_case",
                                    "test_action_case[contact.create]",
                                    "test_action_case[contact.get]",
                                    "test_action_case[contact.find_by_email]",
                                    "test_action_case[echo.contact.rename]"}
    output = result.stdout.str()
    assert ("actions whose every case expects an empty result (add one with an answer): "
            "['contact.find_by_email', 'contact.get']") in output
    assert ("the contact.get case expects an empty result, but contact.get answers Contact, "
            "which is never empty") in output
    assert "the contact.find_by_email case expects an empty result, got Contact(" in output
    assert "echo.contact.rename declares no output model" in output
    assert "the input of the contact.create case is not a valid Contact" in output


# --- serve_app -------------------------------------------------------------------------------


def hello_app(events: list[str] | None = None) -> Starlette:
    async def hello(request):
        return JSONResponse({"hello": "world"})

    async def lifespan(app):
        if events is not None:
            events.append("started")
        yield
        if events is not None:
            events.append("stopped")

    return Starlette(routes=[Route("/", hello)], lifespan=asynccontextmanager(lifespan))


def test_serve_app_serves_until_the_block_ends():
    events: list[str] = []
    with serve_app(hello_app(events)) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert httpx.get(base_url).json() == {"hello": "world"}
        assert events == ["started"]
    assert events == ["started", "stopped"]
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url)


def test_serve_app_can_use_a_chosen_port():
    port = free_port()
    with serve_app(hello_app(), port=port) as base_url:
        assert base_url == f"http://127.0.0.1:{port}"
        assert httpx.get(base_url).status_code == 200


def test_serve_app_reports_an_app_that_fails_to_start():
    async def lifespan(app):
        raise RuntimeError("no database")
        yield

    failing = Starlette(lifespan=asynccontextmanager(lifespan))
    with pytest.raises(ServerError, match="start-up"), serve_app(failing):
        pass


# --- helpers ---------------------------------------------------------------------------------


class OAuth(BaseModel):
    client_id: str
    client_secret: SecretStr
    refresh_token: SecretStr | None = None


class Settings(ConnectionSettings):
    api_key: SecretStr
    oauth: OAuth
    region: str = "br"


def test_wrong_secrets_replace_every_secret_and_nothing_else():
    settings = Settings(plugin="x", api_key=SecretStr("k1"),
                        oauth=OAuth(client_id="id", client_secret=SecretStr("s1")))
    assert secret_fields(settings) == ["api_key", "oauth.client_secret"]
    wrong = with_wrong_secrets(settings)
    assert wrong.api_key.get_secret_value() == WRONG_SECRET
    assert wrong.oauth.client_secret.get_secret_value() == WRONG_SECRET
    assert wrong.oauth.refresh_token is None
    assert (wrong.oauth.client_id, wrong.region) == ("id", "br")
    assert settings.api_key.get_secret_value() == "k1"


@pytest.mark.parametrize(
    ("body", "content_type", "raw", "data"),
    [
        ({"a": [1, 2]}, "application/json", b'{"a": [1, 2]}', {"a": [1, 2]}),
        (b'{"a": 1}', "application/json; charset=utf-8", b'{"a": 1}', {"a": 1}),
        ({"leads[add][0][id]": "1", "account[id]": "9"}, "application/x-www-form-urlencoded",
         b"leads%5Badd%5D%5B0%5D%5Bid%5D=1&account%5Bid%5D=9",
         {"leads[add][0][id]": "1", "account[id]": "9"}),
        (b"event=x&empty=", "application/x-www-form-urlencoded", b"event=x&empty=",
         {"event": "x", "empty": ""}),
        (b"<xml/>", "text/xml", b"<xml/>", None),
    ],
)
def test_webhook_request_encodes_and_parses_like_the_server(body, content_type, raw, data):
    request = webhook_request(body, content_type, connection="c1", query={"s": "1"})
    assert request.body == raw
    assert request.data == data
    assert request.content_type == content_type
    assert request.headers["content-type"] == content_type
    assert (request.connection, request.query) == ("c1", {"s": "1"})


@settings(max_examples=30, deadline=None, database=None)
@given(records_with(Contact, ["name", "emails", "addresses", "company.name", "owner"], "crm"))
def test_round_trip_records_set_exactly_the_listed_fields(contact):
    assert contact.name and contact.company.name and contact.owner.email
    assert contact.refs["crm"].isdigit()
    for values in (contact.emails, [a.model_dump_json() for a in contact.addresses]):
        assert 1 <= len(values) <= 3
        assert len(set(values)) == len(values)
    assert contact.emails == [e.strip().lower() for e in contact.emails]
    assert contact.phones == [] and contact.tax_id is None and contact.company.emails == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [(["company"], "name fields inside it, like 'company.name'"),
     (["nickname"], "has no field 'nickname'"),
     (["name.first"], "not a nested model")],
)
def test_round_trip_records_name_a_wrong_field(fields, message):
    with pytest.raises(TypeError, match=message):
        records_with(Contact, fields)
