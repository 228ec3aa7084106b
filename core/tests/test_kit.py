"""ConnectorKit: a connector named once, contributions declared by decorators, and every
registration made through pluggy's hook caller (so tracing sees it)."""

import logging
import types

import pytest
from pontes.errors import PluginLoadError
from pontes.plugin import (
    ByEmail,
    ConnectionSettings,
    ConnectorKit,
    Contact,
    Event,
    PollResult,
    WebhookAck,
    hookimpl,
)
from pontes.plugins import TRACE_ENV, load_plugins
from pydantic import BaseModel


class AcmeSettings(ConnectionSettings):
    """Settings of the test connector."""


async def check(connection):
    """Accept every connection."""


def build_kit() -> ConnectorKit:
    kit = ConnectorKit(name="acme", title="Acme", roles=("crm",), settings=AcmeSettings,
                       client=lambda name, settings: None, check=check)

    @kit.action("contact.find_by_email")
    async def contact_find_by_email(connection, params: ByEmail):
        """Find a person by e-mail.

        Searches the whole account."""
        return Contact(refs={connection.name: "1"}, emails=[params.email])

    class Merge(BaseModel):
        into: str

    @kit.action("acme.contact.merge", input=Merge, output=Contact)
    async def contact_merge(connection, params):
        """Merge two people."""
        return Contact(refs={connection.name: params.into})

    async def load(connection, event):
        return Contact(refs={connection.name: event.record_id})

    @kit.webhook_trigger("webhook", events=("contact.changed",), load=load,
                         ack=WebhookAck(202))
    def parse_webhook(request):
        """Acme's contact webhook."""
        return [Event(type="contact.changed", connection=request.connection,
                      idempotency_key="k", entity_key="contact:1", record_id="1")]

    @kit.polling_trigger("poll", events=("contact.changed",), load=load, interval_seconds=60)
    async def poll_contacts(connection, cursor):
        """Contacts changed since the cursor."""
        return PollResult([], cursor)

    kit.mapper("contact", Contact, to_canonical=lambda raw, name: Contact(refs={name: raw["id"]}),
               from_canonical=lambda record, name: {"id": record.refs[name]})

    @kit.stream("contacts", primary_key=("id",), cursor_field="updated")
    async def read_contacts(connection, cursor):
        """Every contact."""
        yield {"id": 1, "updated": "2026-01-01"}

    def sandbox_app_factory(**options):
        """An empty Acme API."""

    kit.sandbox(app=sandbox_app_factory, settings=lambda base_url, **options: {})
    return kit


def plugin_module(kit: ConnectorKit, name: str = "acme_plugin") -> types.ModuleType:
    module = types.ModuleType(name)
    module.register_connectors = hookimpl(lambda: kit.connectors())
    module.register_actions = hookimpl(lambda: kit.actions())
    module.register_triggers = hookimpl(lambda: kit.triggers())
    module.register_mappers = hookimpl(lambda: kit.mappers())
    module.register_streams = hookimpl(lambda: kit.streams())
    module.register_sandboxes = hookimpl(lambda: kit.sandboxes())
    return module


def test_each_contribution_names_the_kits_connector_and_takes_its_docstring():
    kit = build_kit()

    assert [a.connector for a in kit.actions()] == ["acme", "acme"]
    assert [a.description for a in kit.actions()] == ["Find a person by e-mail.",
                                                      "Merge two people."]
    webhook, poll = kit.triggers()
    assert (webhook.connector, webhook.name, webhook.ack.status) == ("acme", "webhook", 202)
    assert webhook.description == "Acme's contact webhook."
    assert (poll.connector, poll.interval_seconds) == ("acme", 60)
    assert kit.mappers()[0].connector == "acme"
    assert kit.streams()[0].description == "Every contact."
    assert kit.sandboxes()[0].description == "An empty Acme API."
    assert kit.connectors()[0].name == kit.name == "acme"


@pytest.mark.anyio
async def test_a_connection_holds_its_own_actions_and_capabilities():
    registry = load_plugins(enabled=[], extra=[plugin_module(build_kit())]).registry
    connection = registry.connect("crm", "acme", AcmeSettings(plugin="acme"))

    assert set(connection.actions) == {"contact.find_by_email", "acme.contact.merge"}
    assert connection.capabilities == {"contact.find_by_email", "acme.contact.merge",
                                       "contact.changed"}
    assert [t.name for t in connection.webhook_triggers()] == ["webhook"]
    assert [t.name for t in connection.polling_triggers()] == ["poll"]
    assert list(connection.streams) == ["contacts"]
    found = await connection.call("contact.find_by_email", email="a@b.co")
    assert found.emails == ["a@b.co"] and found.refs == {"crm": "1"}
    merged = await connection.call("acme.contact.merge", into="9")
    assert merged.refs == {"crm": "9"}


def test_an_unknown_connector_cannot_be_connected():
    registry = load_plugins(enabled=[], extra=[plugin_module(build_kit())]).registry
    with pytest.raises(LookupError, match="no connector 'nope'.*registered: acme"):
        registry.connect("x", "nope", AcmeSettings(plugin="acme"))


def test_registrations_go_through_pluggy_so_tracing_sees_them(monkeypatch, caplog):
    monkeypatch.setenv(TRACE_ENV, "1")
    with caplog.at_level(logging.WARNING, logger="pontes.plugins"):
        load_plugins(enabled=[], extra=[plugin_module(build_kit())])
    traced = "\n".join(record.getMessage() for record in caplog.records)
    for hook in ("register_connectors", "register_actions", "register_triggers",
                 "register_mappers", "register_streams", "register_sandboxes"):
        assert hook in traced


def test_two_plugins_registering_one_connector_are_both_named():
    first, second = plugin_module(build_kit(), "first"), plugin_module(build_kit(), "second")
    with pytest.raises(PluginLoadError, match="registers connector 'acme', already registered "
                                              "by plugin") as failure:
        load_plugins(enabled=[], extra=[first, second])
    assert "'first'" in str(failure.value) and "'second'" in str(failure.value)


def test_a_failing_registration_names_its_plugin():
    module = types.ModuleType("faulty")

    def register_actions():
        raise RuntimeError("boom")

    module.register_actions = hookimpl(register_actions)
    with pytest.raises(PluginLoadError, match="plugin 'faulty' failed in register_actions: "
                                              "RuntimeError: boom"):
        load_plugins(enabled=[], extra=[module])
