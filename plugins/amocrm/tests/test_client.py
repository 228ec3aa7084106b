"""The client and the sandbox over loopback: HAL paging, 204, 429, problem+json and the
SSRF guard, as the vendor notes (§3.3, §3.5, §5) describe amoCRM."""

import httpx
import pytest
from pontes.plugin import Contact, Deal, VendorError, VendorValidationError
from pontes.plugins import load_plugins
from pontes.testing import serve_app
from pontes.testing.connections import connect, sandbox_settings
from pydantic import ValidationError

from pontes_amocrm.client import fetch_all, link_request, pages
from pontes_amocrm.connector import AmocrmSettings
from pontes_amocrm.sandbox import SANDBOX_TOKEN, build_app

AUTH = {"Authorization": f"Bearer {SANDBOX_TOKEN}"}


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_paging_follows_links_next_until_it_is_absent(sandbox_url, sandbox_connection):
    url = sandbox_url("amocrm")
    connection = sandbox_connection("amocrm", base_url=url)
    contacts = [{"name": f"Client {n}"} for n in range(7)]
    httpx.post(f"{url}/api/v4/contacts", json=contacts, headers=AUTH).raise_for_status()
    httpx.delete(f"{url}/_sandbox/requests")

    rows = await fetch_all(connection.client, "/api/v4/contacts", "contacts",
                           allowed_hosts=["127.0.0.1"], most=None)
    assert [r["name"] for r in rows] == [c["name"] for c in contacts]

    seen = [len(page) async for page in pages(connection.client, "/api/v4/contacts",
                                              "contacts", allowed_hosts=["127.0.0.1"],
                                              limit=3)]
    assert seen == [3, 3, 1]


def test_limit_above_250_is_refused_and_an_empty_list_is_204():
    with serve_app(build_app()) as url:
        too_many = httpx.get(f"{url}/api/v4/leads?limit=251", headers=AUTH)
        empty = httpx.get(f"{url}/api/v4/leads", headers=AUTH)
    assert too_many.status_code == 400
    assert too_many.headers["content-type"].startswith("application/problem+json")
    assert (empty.status_code, empty.content) == (204, b"")


@pytest.mark.anyio
async def test_a_204_reads_as_nothing_found(sandbox_connection):
    connection = sandbox_connection("amocrm")
    assert await connection.call("contact.find_by_email", email="nobody@example.com") is None
    assert await connection.call("deal.list_for_client",
                                 contact_id=str((await connection.call(
                                     "contact.create", Contact(name="No deals"))).refs[
                                     connection.name])) == []


def test_more_than_7_calls_a_second_get_a_plain_429():
    with serve_app(build_app()) as url, httpx.Client(headers=AUTH) as client:
        answers = [client.get(f"{url}/api/v4/account") for _ in range(8)]
    assert [a.status_code for a in answers[:7]] == [200] * 7
    assert answers[7].status_code == 429
    assert answers[7].text == "Too Many Requests"


@pytest.mark.anyio
async def test_the_client_keeps_within_7_calls_a_second(sandbox_connection):
    connection = sandbox_connection("amocrm")
    for _ in range(15):
        await connection.call("user.list", {})
    statuses = [r["status"] for r in httpx.get(
        f"{connection.settings.base_url}/_sandbox/requests").json()]
    # The client paces by when it sends, the sandbox counts by when a call arrives: a first
    # call slowed by its connection set-up can put an eighth call in the sandbox's second.
    # That one 429 is retried; without the budget, 8 of the 15 calls would be refused.
    assert statuses.count(200) == 15
    assert statuses.count(429) <= 1


@pytest.mark.anyio
async def test_a_validation_error_names_the_field_path(sandbox_connection):
    connection = sandbox_connection("amocrm")
    with pytest.raises(VendorValidationError,
                       match=r"custom_fields_values\.0\.field_id: NotSupportedChoice"):
        await connection.call("deal.create", Deal(title="Bad", custom={"999": "x"}))
    with pytest.raises(VendorValidationError,
                       match=r"custom_fields_values\.0\.values\.0\.enum_id"):
        await connection.call("deal.create", Deal(title="Bad", custom={
            "1372537": {"enum_id": 1}}))
    leads = httpx.get(f"{connection.settings.base_url}/_sandbox/records/leads").json()
    assert leads == []


@pytest.mark.parametrize("base_url", [
    "https://acme.amocrm.ru", "https://acme.amocrm.com/", "https://acme.kommo.com/api/v4"])
def test_amocrm_and_kommo_account_domains_are_accepted(base_url):
    settings = AmocrmSettings(base_url=base_url, long_lived_token="t")
    assert settings.base_url.startswith("https://acme.")
    assert not settings.base_url.endswith(("/", "/api/v4"))


@pytest.mark.parametrize("base_url", [
    "http://127.0.0.1:8080", "https://evil.example.com", "https://amocrm.ru.evil.com",
    "https://evilamocrm.ru", "file:///etc/passwd"])
def test_other_hosts_are_a_config_error_naming_the_setting(base_url):
    with pytest.raises(ValidationError, match="base_url"):
        AmocrmSettings(base_url=base_url, long_lived_token="t")


def test_a_host_listed_in_allowed_hosts_is_accepted():
    settings = AmocrmSettings(base_url="http://127.0.0.1:8080", long_lived_token="t",
                              allowed_hosts=["127.0.0.1"])
    assert settings.base_url == "http://127.0.0.1:8080"


def test_settings_without_any_credential_say_what_to_set():
    with pytest.raises(ValidationError, match="long_lived_token, or client_id and client_secret"):
        AmocrmSettings(base_url="https://acme.amocrm.ru")


@pytest.mark.anyio
async def test_a_next_link_to_another_host_is_not_followed(sandbox_connection):
    connection = sandbox_connection("amocrm")
    with pytest.raises(ValueError, match="_links.next"):
        link_request(connection.client, "https://evil.example.com/api/v4/leads?page=2",
                     ["127.0.0.1"])
    with pytest.raises(VendorError, match="another host"):
        link_request(connection.client, "https://other.amocrm.ru/api/v4/leads?page=2",
                     ["127.0.0.1"])


@pytest.mark.anyio
@pytest.mark.parametrize("fault", [{"status": 503}, {"drop": True}])
async def test_a_lead_created_before_a_failed_answer_is_found_by_its_marker(
        sandbox_url, sandbox_connection, fault):
    url = sandbox_url("amocrm")
    connection = sandbox_connection("amocrm", base_url=url)
    httpx.post(f"{url}/_sandbox/faults", json={**fault, "path": "/api/v4/leads",
                                               "method": "POST", "commit_first": True})
    draft = Deal(title="Created once")

    with pytest.raises(VendorError):
        await connection.call("deal.create", draft)
    found = await connection.call("deal.find_created", draft)

    leads = httpx.get(f"{url}/_sandbox/records/leads").json()
    assert [lead["name"] for lead in leads] == ["Created once"]
    assert found.refs[connection.name] == str(leads[0]["id"])
    assert await connection.call("deal.find_created", Deal(title="Created once")) is None


@pytest.mark.anyio
async def test_a_429_from_amocrm_is_waited_out_and_the_call_sent_again():
    with serve_app(build_app(requests_per_second=2)) as url:
        registry = load_plugins(["amocrm"]).registry
        connection = connect(registry, "amocrm", sandbox_settings(registry, "amocrm", url),
                             "amocrm-429")
        try:
            users = [await connection.call("user.list", {}) for _ in range(4)]
        finally:
            await connection.aclose()
        statuses = [r["status"] for r in httpx.get(f"{url}/_sandbox/requests").json()]
    assert all(found[0].id == "504141" for found in users)
    assert 429 in statuses and statuses.count(200) == 4
