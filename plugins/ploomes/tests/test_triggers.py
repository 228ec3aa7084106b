"""Webhook deliveries: both body forms, bad bodies, idempotency, loading, and the
sandbox calling registered webhooks."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from pontes.plugin import (
    Company,
    Contact,
    Deal,
    DealStatus,
    InvalidPayload,
    NotFoundError,
    WebhookRequest,
)
from pontes_ploomes import triggers
from pontes_ploomes.triggers import load_record, parse_webhook

CONN = "crm"


def delivery(body, connection=CONN):
    raw = json.dumps(body).encode()
    return WebhookRequest(connection=connection, headers={"content-type": "application/json"},
                          query={}, body=raw, data=body, content_type="application/json")


WIN = {
    "AccountId": 1000001, "Action": "Win", "ActionUserId": 10000001, "Entity": "Deals",
    "SecondaryEntityId": None,
    "New": {"Id": 50000777, "Title": "Upgrade", "StatusId": 2, "ContactId": 40000100,
            "FinishDate": "2025-03-12T16:00:01.233", "LastUpdateDate": "2025-03-12T16:00:01.213",
            "CollaboratingUsers": [{"UserId": 10000001}],
            "OtherProperties": {"deal_0B7E8C1F-0000-4000-8000-000000000002": "10452"}},
    "Old": {"Id": 50000777, "StatusId": 1, "LastUpdateDate": "2025-03-12T10:19:32.41"},
    "WebhookCreatorId": 10000002, "WebhookId": 50001877,
}

THIN = {"ResourceId": 100864460, "Entity": "Deal", "Action": "Update",
        "ValidationKey": "s3cr3t", "UserId": 10018838}


def test_full_snapshot_delivery():
    [event] = parse_webhook(delivery(WIN))
    assert event.type == "deal.changed"
    assert event.connection == CONN
    assert event.record_id == "50000777"
    assert event.entity_key == "deal:50000777"
    assert event.idempotency_key == "ploomes:deal:50000777:5:2025-03-12T16:00:01.213"
    assert event.occurred_at == datetime(2025, 3, 12, 19, 0, 1, 213000, tzinfo=UTC)
    assert event.payload == WIN


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_a_last_update_out_of_range_in_utc_makes_the_body_invalid(stamp):
    with pytest.raises(InvalidPayload, match="'LastUpdateDate' is out of range once in UTC"):
        parse_webhook(delivery({**WIN, "New": {**WIN["New"], "LastUpdateDate": stamp}}))


def test_the_same_change_from_two_webhooks_is_one_event():
    first = parse_webhook(delivery(WIN))[0]
    second = parse_webhook(delivery({**WIN, "WebhookId": 50001999}))[0]
    later = parse_webhook(delivery({**WIN, "New": {**WIN["New"], "LastUpdateDate": "2025-03-12T17:00:00"}}))[0]
    assert first.idempotency_key == second.idempotency_key
    assert later.idempotency_key != first.idempotency_key


@pytest.mark.parametrize(("action", "expected"), [
    ("Create", "deal.created"), ("Update", "deal.changed"), ("Lose", "deal.changed"),
    ("Reopen", "deal.changed"), (1, "deal.created"), ("6", "deal.changed")])
def test_deal_actions(action, expected):
    [event] = parse_webhook(delivery({**WIN, "Action": action, "Old": None}))
    assert event.type == expected


def test_contacts_are_persons_or_companies_by_type():
    person = {"Entity": "Contacts", "Action": "Create", "New": {"Id": 7, "TypeId": 2}}
    company = {"Entity": "Contacts", "Action": "Update", "New": {"Id": 8, "TypeId": 1},
               "Old": {"Id": 8, "TypeId": 1}}
    assert parse_webhook(delivery(person))[0].type == "contact.changed"
    [event] = parse_webhook(delivery(company))
    assert event.type == "company.changed" and event.entity_key == "contact:8"


def test_thin_delivery(monkeypatch):
    monkeypatch.setattr(triggers, "clock", lambda: 6000.0)
    [event] = parse_webhook(delivery(THIN))
    assert event.type == "deal.changed"
    assert event.record_id == "100864460" and event.entity_key == "deal:100864460"
    assert parse_webhook(delivery(THIN))[0].idempotency_key == event.idempotency_key
    monkeypatch.setattr(triggers, "clock", lambda: 6000.0 + triggers.THIN_WINDOW_SECONDS)
    assert parse_webhook(delivery(THIN))[0].idempotency_key != event.idempotency_key
    other = parse_webhook(delivery({**THIN, "ResourceId": 5}))[0]
    assert other.idempotency_key != event.idempotency_key


def test_deletions_and_other_entities_bring_no_event():
    assert parse_webhook(delivery({**WIN, "Action": "Delete", "New": None})) == []
    assert parse_webhook(delivery({"Entity": "Orders", "Action": "Create", "ResourceId": 3})) == []
    assert parse_webhook(delivery({"Entity": "Tasks", "Action": "Update"})) == []
    assert parse_webhook(delivery({"Entity": "Contacts", "Action": "Win", "ResourceId": 3})) == []


@pytest.mark.parametrize(("body", "reason"), [
    ([1, 2], "JSON object"),
    ({"Action": "Win", "ResourceId": 1}, "no 'Entity'"),
    ({"Entity": "Deals", "ResourceId": 1}, "no 'Action'"),
    ({"Entity": "Deals", "Action": "Explode", "ResourceId": 1}, "not a known action"),
    ({"Entity": "Deals", "Action": "Update"}, "names no record"),
    ({"Entity": "Deals", "Action": "Update", "ResourceId": "abc"}, "names no record"),
    ({"Entity": "Deals", "Action": "Update", "ResourceId": -4}, "must be positive"),
    ({"Entity": "Deals", "Action": "Update", "New": "50000777"}, "'New' must be an object"),
])
def test_unusable_bodies_are_invalid(body, reason):
    with pytest.raises(InvalidPayload, match=reason):
        parse_webhook(delivery(body))



@pytest.mark.anyio
async def test_load_reads_the_deal_again(connection):
    stale = {**WIN, "New": {**WIN["New"], "Title": "stale title"}}
    [event] = parse_webhook(delivery(stale, connection.name))
    deal = await load_record(connection, event)
    assert isinstance(deal, Deal)
    assert deal.title == "Upgrade Plano Ouro" and deal.status is DealStatus.open


@pytest.mark.anyio
async def test_load_reads_persons_and_companies(connection):
    [thin_company] = parse_webhook(delivery(
        {"Entity": "Contact", "Action": "Update", "ResourceId": 40000100}, connection.name))
    assert thin_company.type == "contact.changed"
    company = await load_record(connection, thin_company)
    assert isinstance(company, Company) and company.name == "Exemplo Ltda"
    [person_event] = parse_webhook(delivery(
        {"Entity": "Contacts", "Action": "Update", "New": {"Id": 40000123, "TypeId": 2}}, connection.name))
    person = await load_record(connection, person_event)
    assert isinstance(person, Contact) and person.emails == ["maria@exemplo.com.br"]
    [gone] = parse_webhook(delivery({"Entity": "Deals", "Action": "Update", "ResourceId": 1}, connection.name))
    with pytest.raises(NotFoundError):
        await load_record(connection, gone)


@pytest.mark.anyio
async def test_registered_webhooks_are_called_on_deal_creation_and_win(connection, receiver):
    await connection.call("webhook.register", event="deal.created", url=receiver.url())
    await connection.call("webhook.register", event="deal.changed", url=receiver.url())
    deal = await connection.call("deal.create", Deal(title="Novo", company=Company(refs={connection.name: "40000100"}),
                                                     custom={"deal_0B7E8C1F-0000-4000-8000-000000000002": 9}))
    [created] = receiver.wait_for(1)
    assert created["Entity"] == "Deals" and created["Action"] == "Create"
    assert created["Old"] is None and created["New"]["Id"] == int(deal.ref(connection.name))
    assert created["New"]["OtherProperties"]["deal_0B7E8C1F-0000-4000-8000-000000000002"] == 9
    assert "-03:00" not in created["New"]["CreateDate"]
    [event] = parse_webhook(delivery(created, connection.name))
    assert event.type == "deal.created" and event.record_id == deal.ref(connection.name)
    loaded = await load_record(connection, event)
    assert loaded.title == "Novo"

    await connection.call("deal.finish", id=deal.ref(connection.name), status="won")
    won = receiver.wait_for(2)[1]
    assert won["Action"] == "Win"
    assert (won["Old"]["StatusId"], won["New"]["StatusId"]) == (1, 2)
    assert won["New"]["FinishDate"] and won["WebhookId"] and won["AccountId"] == 1000001
    [win_event] = parse_webhook(delivery(won, connection.name))
    assert win_event.type == "deal.changed"
    assert (await load_record(connection, win_event)).status is DealStatus.won


@pytest.mark.anyio
async def test_thin_deliveries_from_the_sandbox(connection, receiver, api):
    api.post("/_sandbox/ploomes/config", json={"webhook_shape": "thin"}).raise_for_status()
    await connection.call("webhook.register", event="contact.changed", url=receiver.url())
    created = await connection.call("company.create", Company(name="Thin Co"))
    [body] = receiver.wait_for(1)
    assert body["ResourceId"] == int(created.ref(connection.name))
    assert body["Entity"] == "Contacts" and body["Action"] == "Create" and body["ValidationKey"]
    [event] = parse_webhook(delivery(body, connection.name))
    loaded = await load_record(connection, event)
    assert isinstance(loaded, Company) and loaded.name == "Thin Co"
