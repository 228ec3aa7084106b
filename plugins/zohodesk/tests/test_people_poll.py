"""Zoho Desk's contacts and accounts polled for changes through the sandbox: the first
poll only notes where the lists stand, later ones bring each changed record once, as a
``contact.changed`` or ``company.changed`` event its trigger can load."""

from __future__ import annotations

import pytest
from pontes.testing.polling import assert_nothing_new_after, loaded_by_type

from pontes_zohodesk.people_poll import poll_people

pytestmark = pytest.mark.anyio


async def test_changed_contacts_and_accounts_are_polled_once_each(desk, desk_connection):
    before = desk.contact()
    first = await poll_people(desk_connection, None)
    assert first.events == [] and first.cursor == before["modifiedTime"]

    desk.control("/clock", {"advance": 60})
    desk.api("PATCH", f"/contacts/{before['id']}", {"phone": "+14155550100"})
    account = desk.api("POST", "/accounts", {"accountName": "Acme"}).json()
    second = await poll_people(desk_connection, first.cursor)
    about = {(e.type, e.record_id) for e in second.events}
    assert about == {("contact.changed", before["id"]), ("company.changed", account["id"])}
    assert second.cursor > first.cursor

    loaded = await loaded_by_type(desk_connection, "people_poll", second.events)
    assert loaded["contact.changed"].phones == ["+14155550100"]
    assert loaded["company.changed"].name == "Acme"
    await assert_nothing_new_after(poll_people, desk_connection, second)


async def test_a_poll_reads_past_a_full_page(desk, desk_connection):
    first = await poll_people(desk_connection, None)
    desk.control("/clock", {"advance": 60})
    made = {desk.contact(email=f"p{n}@example.com", lastName=f"P{n}")["id"]
            for n in range(105)}
    second = await poll_people(desk_connection, first.cursor)
    assert {e.record_id for e in second.events} == made


def test_the_sandbox_refuses_an_unknown_sort(desk):
    answer = desk.api("GET", "/contacts", sortBy="-lastName")
    assert answer.status_code == 422 and "sortBy" in answer.text
