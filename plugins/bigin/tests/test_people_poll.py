"""Bigin's contacts and companies polled for changes through the sandbox: the first poll
only notes where the modules stand, later ones bring each changed record once, as a
``contact.changed`` or ``company.changed`` event its trigger can load."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pontes.testing.polling import assert_nothing_new_after, loaded_by_type

from pontes_bigin.people_poll import poll_people


@pytest.fixture
def anyio_backend():
    return "asyncio"


SOMEONE = {"id": "5436046000000210001", "name": "Sam Rep"}


def seed(url: str, module: str, rows: list[dict]) -> list[str]:
    """Store ``rows`` in the sandbox as records made by someone in Bigin."""
    rows = [{"Created_By": SOMEONE, "Modified_By": SOMEONE, **row} for row in rows]
    answer = httpx.post(f"{url}/_sandbox/records/{module}", json=rows)
    answer.raise_for_status()
    return answer.json()["ids"]


def an_hour_ago() -> str:
    return (datetime.now(UTC) - timedelta(hours=1)).replace(microsecond=0).isoformat()


@pytest.mark.anyio
async def test_changed_contacts_and_companies_are_polled_once_each(sandbox_url,
                                                                    sandbox_connection):
    url = sandbox_url("bigin")
    connection = sandbox_connection("bigin", base_url=url)
    then = an_hour_ago()
    [old] = seed(url, "Contacts", [{"Last_Name": "Ng", "Email": "dana@example.com",
                                    "Created_Time": then, "Modified_Time": then}])
    first = await poll_people(connection, None)
    assert first.events == [] and datetime.fromisoformat(first.cursor) == \
        datetime.fromisoformat(then)

    await connection.call("contact.update", id=old, changes={"phones": ["+14155550100"]})
    company = await connection.call("company.create", {"name": "Acme"})
    second = await poll_people(connection, first.cursor)
    about = {(e.type, e.record_id) for e in second.events}
    assert about == {("contact.changed", old),
                     ("company.changed", company.refs[connection.name])}
    assert datetime.fromisoformat(second.cursor) > datetime.fromisoformat(first.cursor)

    loaded = await loaded_by_type(connection, "people_poll", second.events)
    assert loaded["contact.changed"].phones == ["+14155550100"]
    assert loaded["company.changed"].name == "Acme"
    await assert_nothing_new_after(poll_people, connection, second)


@pytest.mark.anyio
async def test_a_poll_reads_past_a_full_page(sandbox_url, sandbox_connection):
    url = sandbox_url("bigin")
    connection = sandbox_connection("bigin", base_url=url)
    then = an_hour_ago()
    [old] = seed(url, "Contacts", [{"Last_Name": "Old", "Modified_Time": then}])
    first = await poll_people(connection, None)
    made = set(seed(url, "Contacts", [{"Last_Name": f"P{n}"} for n in range(205)]))
    second = await poll_people(connection, first.cursor)
    polled = [e.record_id for e in second.events]
    assert made <= set(polled) and set(polled) - made <= {old}, "old: at the cursor"
    assert len(polled) == len(set(polled)), "each record once"
