"""The sandbox answers as Ploomes does (the behaviours listed in the vendor notes)."""

from __future__ import annotations

import re

import httpx
import pytest
from pontes_ploomes.sandbox import SANDBOX_USER_KEY, seed

OFFSET_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+-03:00$")


def values(response: httpx.Response) -> list[dict]:
    assert response.status_code == 200, response.text
    body = response.json()
    entity = re.match(r"/([^(/]+)", response.url.path).group(1)
    assert body["@odata.context"].endswith("$metadata#" + entity)
    return body["value"]


def test_every_call_needs_the_user_key(ploomes_url):
    for headers in ({}, {"User-Key": "wrong"}, {"Authorization": SANDBOX_USER_KEY}):
        answer = httpx.get(f"{ploomes_url}/Contacts", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"]["message"]


def test_envelope_and_lookup_by_id(api):
    [deal] = values(api.get("/Deals", params={"$filter": "Id eq 50000777"}))
    assert deal["Title"] == "Upgrade Plano Ouro"
    assert "OtherProperties" not in deal and "CollaboratingUsers" not in deal
    assert OFFSET_TIME.match(deal["CreateDate"]) and OFFSET_TIME.match(deal["LastUpdateDate"])


def test_the_context_echoes_the_host(ploomes_url):
    answer = httpx.get(f"{ploomes_url}/Users", headers={"User-Key": SANDBOX_USER_KEY,
                                                        "Host": "public6-api2.ploomes.com"})
    assert answer.json()["@odata.context"] == "http://public6-api2.ploomes.com/$metadata#Users"


def test_key_syntax(api):
    single = api.get("/Deals(50000777)").json()
    assert single["Id"] == 50000777 and single["@odata.context"].endswith("#Deals/$entity")
    assert api.get("/Deals/50000777").status_code == 404
    assert api.get("/Deals(abc)").status_code == 400
    assert api.get("/Deals(123)").status_code == 404
    patched = api.patch("/Deals(50000777)", json={"Amount": 2000})
    assert values(patched)[0]["Amount"] == 2000
    deleted = api.delete("/Deals(50000777)")
    assert deleted.status_code == 200 and deleted.content == b""
    assert values(api.get("/Deals")) == []


def test_fields_are_addressed_by_key(api):
    field = api.get(f"/Fields('{seed.DEAL_TICKET_FIELD}')").json()
    assert field["Name"] == "Ticket Movidesk"
    assert api.get("/Fields(10005002)").status_code == 400


def test_deal_state_machine_fires_its_webhooks(api, receiver):
    for action in (5, 6, 7):
        api.post("/Webhooks", json={"EntityId": 2, "ActionId": action,
                                    "CallbackUrl": receiver.url(), "ValidationKey": "k"})
    won = values(api.post("/Deals(50000777)/Win", json={}))[0]
    assert won["StatusId"] == 2 and OFFSET_TIME.match(won["FinishDate"])
    lost = values(api.post("/Deals(50000777)/Lose", json={"LossReasonId": 10000402}))[0]
    assert lost["StatusId"] == 3 and lost["LossReasonId"] == 10000402
    reopened = values(api.post("/Deals(50000777)/Reopen"))[0]
    assert reopened["StatusId"] == 1 and reopened["FinishDate"] is None
    bodies = receiver.wait_for(3)
    assert [b["Action"] for b in bodies] == ["Win", "Lose", "Reopen"]
    assert [b["New"]["StatusId"] for b in bodies] == [2, 3, 1]
    assert api.post("/Deals(50000777)/Explode", json={}).status_code == 404
    assert api.post("/Deals(50000777)/Lose", json={"LossReasonId": 1}).status_code == 400


def test_top_is_cut_to_300_and_skip_pages(api):
    api.post("/_sandbox/ploomes/records/Contacts",
             json=[{"TypeId": 2, "Name": f"P{n:03d}"} for n in range(400)]).raise_for_status()
    assert len(values(api.get("/Contacts", params={"$top": 1000}))) == 300
    assert len(values(api.get("/Contacts"))) == 300
    page = values(api.get("/Contacts", params={"$filter": "startswith(Name, 'P')",
                                               "$orderby": "Name desc", "$skip": 390,
                                               "$select": "Id,Name"}))
    assert [p["Name"] for p in page] == [f"P{n:03d}" for n in range(9, -1, -1)]
    assert set(page[0]) == {"Id", "Name"}
    counted = api.get("/Contacts", params={"$top": 1, "$count": "true"}).json()
    assert counted["@odata.count"] == 404 and len(counted["value"]) == 1


def test_rate_limit_per_key(api):
    api.post("/_sandbox/ploomes/config", json={"requests_per_minute": 3}).raise_for_status()
    assert [api.get("/Account").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert api.get("/_sandbox/ploomes/config").json()["requests_per_minute"] == 3
    api.post("/_sandbox/reset")
    assert api.get("/Account").status_code == 200
    assert api.get("/_sandbox/ploomes/config").json()["requests_per_minute"] == 120


def test_other_properties_shapes(api):
    [person] = values(api.get("/Contacts", params={"$filter": "Id eq 40000123",
                                                   "$expand": "OtherProperties"}))
    [row] = person["OtherProperties"]
    assert row["FieldKey"] == seed.CONTACT_EXTERNAL_ID_FIELD and row["FieldId"] == 10005001
    assert row["StringValue"] == "cli-42" and row["IntegerValue"] is None
    assert row["ContactId"] == 40000123
    api.patch("/Contacts(40000123)", json={"OtherProperties": [
        {"FieldKey": seed.CONTACT_EXTERNAL_ID_FIELD, "StringValue": "cli-43"}]})
    [person] = values(api.get("/Contacts", params={"$filter": "Id eq 40000123",
                                                   "$expand": "OtherProperties"}))
    assert [r["StringValue"] for r in person["OtherProperties"]] == ["cli-43"]
    bad = api.patch("/Contacts(40000123)", json={"OtherProperties": [
        {"FieldKey": seed.DEAL_TICKET_FIELD, "IntegerValue": 1}]})
    assert bad.status_code == 400 and "does not exist" in bad.json()["error"]["message"]
    two = api.patch("/Contacts(40000123)", json={"OtherProperties": [
        {"FieldKey": seed.CONTACT_EXTERNAL_ID_FIELD, "StringValue": "a", "IntegerValue": 1}]})
    assert two.status_code == 400


def test_any_filters_on_collections(api):
    found = values(api.get("/Contacts", params={"$filter": (
        "OtherProperties/any(o: o/FieldId eq 10005001 and (o/StringValue eq 'cli-42'))")}))
    assert [c["Id"] for c in found] == [40000123]
    by_phone = values(api.get("/Contacts", params={
        "$filter": "Phones/any(p: contains(p/PhoneNumber, '4321'))"}))
    assert [c["Id"] for c in by_phone] == [40000124]
    assert values(api.get("/Contacts", params={"$filter": "Phones/any()"}))
    navigated = values(api.get("/Deals", params={"$filter": "Contact/Name eq 'exemplo ltda'"}))
    assert [d["Id"] for d in navigated] == [50000777]


def test_nested_expand_and_select(api):
    [deal] = values(api.get("/Deals", params={
        "$select": "Id", "$expand": "Contact($select=Id,Name;$expand=Phones),Owner($select=Name)"}))
    assert deal == {"Id": 50000777,
                    "Contact": {"Id": 40000100, "Name": "Exemplo Ltda",
                                "Phones": [{"PhoneNumber": "(11) 3333-4444", "TypeId": 1,
                                            "CountryId": 76}]},
                    "Owner": {"Name": "Admin Sandbox"}}
    pipelines = values(api.get("/Deals@Pipelines", params={"$expand": "Stages($top=1)"}))
    assert [len(p["Stages"]) for p in pipelines] == [1, 1]


@pytest.mark.parametrize("params", [
    {"$filter": "Title eq"}, {"$filter": "Nope eq 1"}, {"$filter": "Title eq 'x"},
    {"$expand": "Nope"}, {"$select": "Nope"}, {"$apply": "x"}, {"$top": "-1"},
    {"$orderby": "Title sideways"},
])
def test_bad_queries_are_400(api, params):
    answer = api.get("/Deals", params=params)
    assert answer.status_code == 400
    assert answer.json()["error"]["message"]


def test_writes_are_checked(api):
    assert api.post("/Deals", json={"Amount": 10}).status_code == 400
    assert api.post("/Deals", json={"Title": "x", "Colour": "red"}).status_code == 400
    assert api.post("/Deals", json={"Title": "x", "PersonId": 40000100}).status_code == 400
    assert api.post("/Contacts", json={"TypeId": 2, "Name": "x", "CompanyId": 40000123}).status_code == 400
    assert api.post("/Contacts", content=b"{not json", headers={"content-type": "application/json"}).status_code == 400
    assert api.post("/Deals@Pipelines", json={"Name": "x"}).status_code == 405
    [deal] = values(api.post("/Deals", json={"Title": "Sem estágio", "StatusId": 2}))
    assert (deal["PipelineId"], deal["StageId"], deal["StatusId"]) == (
        seed.SALES_PIPELINE_ID, seed.FIRST_SALES_STAGE_ID, 1)
    assert deal["OwnerId"] == seed.ADMIN_ID


def test_webhook_registration(api):
    actions = values(api.get("/Webhooks@Actions"))
    assert {a["Id"]: a["Name"] for a in actions}[5] == "Win"
    [hook] = values(api.post("/Webhooks", json={
        "EntityId": 2, "ActionId": 5, "CallbackUrl": "https://example.test/h",
        "ValidationKey": "s3cr3t-123"}))
    assert hook["Active"] is True and hook["CreatorId"] == seed.ADMIN_ID
    assert [h["Id"] for h in values(api.get("/Webhooks"))] == [hook["Id"]]
    assert api.post("/Webhooks", json={"EntityId": 2, "ActionId": 4,
                                       "CallbackUrl": "https://x.test"}).status_code == 400
    assert api.post("/Webhooks", json={"EntityId": 2, "ActionId": 1,
                                       "CallbackUrl": "ftp://x"}).status_code == 400
    assert values(api.patch(f"/Webhooks({hook['Id']})", json={"Active": False}))[0]["Active"] is False
    assert api.delete(f"/Webhooks({hook['Id']})").status_code == 200
    assert values(api.get("/Webhooks")) == []


def test_control_records(api):
    listed = api.get("/_sandbox/ploomes/records/InteractionRecords").json()
    assert [r["Id"] for r in listed] == [60000001]
    added = api.post("/_sandbox/ploomes/records/Deals@Stages",
                     json={"Name": "Fechamento", "PipelineId": seed.SALES_PIPELINE_ID,
                           "Ordination": 5}).json()
    assert len(added["ids"]) == 1
    assert api.post("/_sandbox/ploomes/records/Deals", json={"Amount": 1}).status_code == 400
    assert api.get("/_sandbox/ploomes/records/Nope").status_code == 404
    assert api.post("/_sandbox/ploomes/records/Deals@Stages", json={"Colour": 1}).status_code == 400
    assert api.post("/_sandbox/ploomes/records/Deals", json=[1]).status_code == 400
    assert api.post("/_sandbox/ploomes/config", json={"webhook_shape": "odd"}).status_code == 400
    users = api.get("/_sandbox/ploomes/records/Users").json()
    assert all(u["UserKey"] is None for u in users)

