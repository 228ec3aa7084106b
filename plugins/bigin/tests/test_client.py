"""The client and the sandbox over loopback, as the vendor notes (§2.4-§2.8, §4 items
20-30) describe Bigin: paging and 204, per-record write answers, upsert, search, errors,
credits, and the settings' data centres."""

import httpx
import pytest
from pontes.plugin import (
    AuthError,
    Contact,
    PermanentFailure,
    RateLimitedError,
    VendorValidationError,
)
from pontes.testing import serve_app
from pydantic import ValidationError

from pontes_bigin.client import fetch_all, pages
from pontes_bigin.connector import BiginSettings
from pontes_bigin.sandbox import SANDBOX_ACCESS_TOKEN, build_app

AUTH = {"Authorization": f"Zoho-oauthtoken {SANDBOX_ACCESS_TOKEN}"}
API = "/bigin/v2"


@pytest.fixture
def anyio_backend():
    return "asyncio"


def seed(url: str, module: str, rows: list[dict]) -> list[str]:
    return httpx.post(f"{url}/_sandbox/records/{module}", json=rows).raise_for_status().json()[
        "ids"]


@pytest.mark.anyio
async def test_paging_asks_for_the_next_page_while_more_records_is_true(sandbox_url,
                                                                         sandbox_connection):
    url = sandbox_url("bigin")
    seed(url, "Contacts", [{"Last_Name": f"Client {n}", "Email": f"c{n}@same.example"}
                           for n in range(7)])
    connection = sandbox_connection("bigin", base_url=url)
    sizes = [len(page) async for page in pages(connection.client, "/Contacts/search",
                                               params={"word": "Client"}, per_page=3)]
    rows = await fetch_all(connection.client, "/Contacts/search", params={"word": "Client"})
    assert sizes == [3, 3, 1]
    assert [r["Last_Name"] for r in rows] == [f"Client {n}" for n in range(7)]


def test_reads_answer_arrays_and_nothing_is_a_204():
    with serve_app(build_app()) as url:
        [contact_id] = seed(url, "Contacts", [{"Last_Name": "Ng"}])
        one = httpx.get(f"{url}{API}/Contacts/{contact_id}", headers=AUTH)
        missing = httpx.get(f"{url}{API}/Contacts/1234567", headers=AUTH)
        none = httpx.get(f"{url}{API}/Accounts/search?word=nothing", headers=AUTH)
        too_big = httpx.get(f"{url}{API}/Contacts/search?word=Ng&per_page=201", headers=AUTH)
        no_fields = httpx.get(f"{url}{API}/Contacts", headers=AUTH)
    assert [r["Last_Name"] for r in one.json()["data"]] == ["Ng"]
    assert (missing.status_code, missing.content) == (204, b"")
    assert (none.status_code, none.content) == (204, b"")
    assert too_big.status_code == 400
    assert no_fields.json()["code"] == "REQUIRED_PARAM_MISSING"


def test_writes_answer_each_record_with_201_for_one_and_202_for_several():
    with serve_app(build_app()) as url:
        one = httpx.post(f"{url}{API}/Contacts", headers=AUTH,
                         json={"data": [{"Last_Name": "Ng", "Email": "d@x.com"}]})
        mixed = httpx.post(f"{url}{API}/Contacts", headers=AUTH, json={"data": [
            {"Last_Name": "Ok"}, {"First_Name": "No last"}, {"Last_Name": "Bad", "Email": "x"}]})
        refused = httpx.post(f"{url}{API}/Pipelines", headers=AUTH,
                             json={"data": [{"Deal_Name": "No stage"}]})
        over = httpx.post(f"{url}{API}/Contacts", headers=AUTH,
                          json={"data": [{"Last_Name": str(n)} for n in range(101)]})
    assert one.status_code == 201
    [entry] = one.json()["data"]
    assert (entry["code"], entry["status"], entry["message"]) == ("SUCCESS", "success",
                                                                  "record added")
    assert set(entry["details"]) == {"id", "Created_Time", "Modified_Time", "Created_By",
                                     "Modified_By"}
    assert mixed.status_code == 202
    assert [(e["status"], e["code"], e["details"].get("api_name")) for e in
            mixed.json()["data"]] == [("success", "SUCCESS", None),
                                      ("error", "MANDATORY_NOT_FOUND", "Last_Name"),
                                      ("error", "INVALID_DATA", "Email")]
    assert refused.status_code == 400
    assert refused.json()["data"][0]["details"]["api_name"] == "Stage"
    assert over.status_code == 400


@pytest.mark.anyio
async def test_a_refused_record_is_a_validation_error_naming_the_field(sandbox_connection):
    connection = sandbox_connection("bigin")
    with pytest.raises(VendorValidationError, match=r"INVALID_DATA.*\(Email\)"):
        await connection.call("contact.create", Contact(name="Bad Mail", emails=["x@y"]))


@pytest.mark.anyio
async def test_batch_writes_go_100_records_a_call(sandbox_url, sandbox_connection):
    url = sandbox_url("bigin")
    connection = sandbox_connection("bigin", base_url=url)
    rows = [{"Last_Name": f"Row {n}", "Email": f"row{n}@batch.example"} for n in range(250)]
    inserted = await connection.call("bigin.records.insert", module="Contacts", records=rows)
    rows[3]["Title"] = "Updated by upsert"
    upserted = await connection.call("bigin.records.upsert", module="Contacts", records=rows,
                                     duplicate_check_fields=["Email"])
    writes = [r for r in httpx.get(f"{url}/_sandbox/requests").json() if r["method"] == "POST"]
    stored = httpx.get(f"{url}/_sandbox/records/Contacts").json()
    assert [o.status for o in inserted] == ["success"] * 250
    assert {o.action for o in upserted} == {"update"}
    assert [o.id for o in upserted] == [o.id for o in inserted]
    assert len(stored) == 250 and stored[3]["Title"] == "Updated by upsert"
    assert [w["path"] for w in writes] == [f"{API}/Contacts"] * 3 + [f"{API}/Contacts/upsert"] * 3


@pytest.mark.anyio
async def test_upsert_without_duplicate_check_fields_matches_the_modules_unique_field(
        sandbox_connection):
    connection = sandbox_connection("bigin")
    first = await connection.call("bigin.records.upsert", module="Accounts",
                                  records=[{"Account_Name": "Acme", "Phone": "1"}])
    again = await connection.call("bigin.records.upsert", module="Accounts",
                                  records=[{"Account_Name": "ACME", "Phone": "2"}])
    assert (first[0].action, again[0].action) == ("insert", "update")
    assert again[0].duplicate_field == "Account_Name" and again[0].id == first[0].id


def test_search_takes_exactly_one_way_and_sub_pipeline_is_not_criteria_searchable():
    with serve_app(build_app()) as url:
        seed(url, "Accounts", [{"Account_Name": "Acme (Brasil), Ltda"}, {"Account_Name": "Beta"}])
        two_ways = httpx.get(f"{url}{API}/Accounts/search",
                             params={"word": "Acme", "email": "a@b.c"}, headers=AUTH)
        escaped = httpx.get(f"{url}{API}/Accounts/search", headers=AUTH, params={
            "criteria": r"(Account_Name:equals:Acme \(Brasil\)\, Ltda)"})
        either = httpx.get(f"{url}{API}/Accounts/search", headers=AUTH, params={
            "criteria": "((Account_Name:equals:Beta)or(Account_Name:starts_with:acme))"})
        sub_pipeline = httpx.get(f"{url}{API}/Pipelines/search", headers=AUTH,
                                 params={"criteria": "(Sub_Pipeline:equals:Renewals)"})
    assert two_ways.json()["code"] == "INVALID_QUERY"
    assert [r["Account_Name"] for r in escaped.json()["data"]] == ["Acme (Brasil), Ltda"]
    assert len(either.json()["data"]) == 2
    assert sub_pipeline.status_code == 400


def test_a_token_that_is_not_zohos_and_an_unknown_module_are_refused():
    with serve_app(build_app()) as url:
        bearer = httpx.get(f"{url}{API}/users", headers={
            "Authorization": f"Bearer {SANDBOX_ACCESS_TOKEN}"})
        module = httpx.get(f"{url}{API}/Leads/search?word=x", headers=AUTH)
        alias = httpx.get(f"{url}{API}/Companies/search?word=x", headers=AUTH)
    assert (bearer.status_code, bearer.json()["code"]) == (401, "INVALID_TOKEN")
    assert (module.status_code, module.json()["code"]) == (400, "INVALID_MODULE")
    assert alias.status_code == 204


@pytest.mark.anyio
async def test_a_wrong_token_is_an_auth_error_with_bigins_code(sandbox_connection):
    connection = sandbox_connection("bigin", access_token="1000.not-a-token")
    with pytest.raises(AuthError, match="INVALID_TOKEN"):
        await connection.call("user.list", {})


def test_past_the_days_credits_bigin_answers_429():
    with serve_app(build_app(daily_credits=3)) as url:
        answers = [httpx.get(f"{url}{API}/users?type=CurrentUser", headers=AUTH).status_code
                   for _ in range(4)]
    assert answers == [200, 200, 200, 429]


@pytest.mark.anyio
async def test_the_client_keeps_within_the_days_credits(sandbox_url, sandbox_connection):
    url = sandbox_url("bigin")
    connection = sandbox_connection("bigin", base_url=url, daily_credits=2)
    await connection.call("user.list", {})
    await connection.call("user.list", {})
    with pytest.raises(RateLimitedError):
        await connection.call("user.list", {})
    statuses = [r["status"] for r in httpx.get(f"{url}/_sandbox/requests").json()]
    assert statuses == [200, 200]


@pytest.mark.anyio
async def test_a_503_on_a_read_is_retried(sandbox_url, sandbox_connection):
    url = sandbox_url("bigin")
    httpx.post(f"{url}/_sandbox/faults", json={"status": 503, "path": f"{API}/users"})
    connection = sandbox_connection("bigin", base_url=url)
    users = await connection.call("user.list", {})
    statuses = [r["status"] for r in httpx.get(f"{url}/_sandbox/requests").json()]
    assert [u.name for u in users] == ["Sam Rep", "Rita Seller"]
    assert statuses == [503, 200]


@pytest.mark.anyio
async def test_a_dropped_update_is_sent_again_and_a_dropped_insert_is_not(sandbox_url,
                                                                          sandbox_connection):
    url = sandbox_url("bigin")
    connection = sandbox_connection("bigin", base_url=url)
    contact = await connection.call("contact.create", Contact(name="Ana Souza"))
    httpx.post(f"{url}/_sandbox/faults", json={"drop": True, "commit_first": True,
                                               "method": "PUT"})
    updated = await connection.call("contact.update", id=contact.refs[connection.name],
                                    changes={"last_name": "Lima"})
    httpx.post(f"{url}/_sandbox/faults", json={"status": 503, "commit_first": True,
                                               "method": "POST"})
    with pytest.raises(Exception, match="503"):
        await connection.call("contact.create", Contact(name="Bruno Lima"))
    stored = httpx.get(f"{url}/_sandbox/records/Contacts").json()
    assert updated.last_name == "Lima"
    assert sorted(r["Last_Name"] for r in stored) == ["Lima", "Lima"]


@pytest.mark.parametrize(("data_centre", "host"), [
    ("com", "https://www.zohoapis.com"), ("eu", "https://www.zohoapis.eu"),
    ("com.au", "https://www.zohoapis.com.au"), ("com.cn", "https://www.zohoapis.com.cn")])
def test_the_data_centre_picks_the_api_host(data_centre, host):
    settings = BiginSettings(client_id="id", client_secret="secret", data_centre=data_centre)
    assert settings.api_url == f"{host}/bigin/v2"


def test_settings_refuse_an_unknown_data_centre_and_a_long_watch_token():
    with pytest.raises(ValidationError, match="data_centre"):
        BiginSettings(client_id="id", client_secret="s", data_centre="us")
    with pytest.raises(ValidationError, match="watch_token"):
        BiginSettings(client_id="id", client_secret="s", watch_token="x" * 51)
    pinned = BiginSettings(client_id="id", client_secret="s",
                           base_url="https://bigin.example/bigin/v2/")
    assert pinned.api_url == "https://bigin.example/bigin/v2"


@pytest.mark.anyio
async def test_user_ensure_adds_a_user_by_e_mail_and_says_why_it_cannot_without(
        sandbox_url, sandbox_connection):
    url = sandbox_url("bigin")
    connection = sandbox_connection("bigin", base_url=url)
    with pytest.raises(PermanentFailure, match="Settings > Users"):
        await connection.call("user.ensure", name="Zoho Desk")
    added = await connection.call("user.ensure", name="Zoho Desk", email="desk@acme.example")
    again = await connection.call("user.ensure", name="zoho desk")
    assert again.id == added.id and added.name == "Zoho Desk"
    assert [r["method"] for r in httpx.get(f"{url}/_sandbox/requests").json()
            if r["path"] == f"{API}/users"].count("POST") == 1


@pytest.mark.anyio
async def test_a_companys_deals_are_found_by_its_account(sandbox_connection):
    connection = sandbox_connection("bigin")
    acme = await connection.call("company.create", {"name": "Acme"})
    beta = await connection.call("company.create", {"name": "Beta"})
    for title, company in (("First", acme), ("Second", acme), ("Other", beta)):
        await connection.call("deal.create", {"title": title, "company": {"refs": company.refs}})
    await connection.call("deal.finish", id=(await connection.call(
        "deal.list_for_client", company_id=acme.refs[connection.name]))[0].refs[
        connection.name], status="won")
    every = await connection.call("deal.list_for_client", company_id=acme.refs[connection.name])
    still_open = await connection.call("deal.list_for_client", only_open=True,
                                       company_id=acme.refs[connection.name])
    assert sorted(d.title for d in every) == ["First", "Second"]
    assert len(still_open) == 1
