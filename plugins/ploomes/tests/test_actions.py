"""Every action against the sandbox served over loopback."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pontes.plugin import (
    Company,
    Contact,
    Deal,
    DealStatus,
    Interaction,
    NotFoundError,
    PermanentFailure,
    UserRef,
    VendorValidationError,
)
from pontes_ploomes.sandbox import seed

pytestmark = pytest.mark.anyio

MARIA, JOAO = "40000123", "40000124"
EXEMPLO, ACME = "40000100", "40000101"
DEAL = "50000777"


def records(api, resource):
    return api.get(f"/_sandbox/ploomes/records/{resource}").json()


async def test_contact_find_by_email(connection):
    found = await connection.call("contact.find_by_email", email="MARIA@exemplo.com.br")
    assert found.ref(connection.name) == MARIA
    assert found.company.ref(connection.name) == EXEMPLO and found.company.name == "Exemplo Ltda"
    assert found.custom == {seed.CONTACT_EXTERNAL_ID_FIELD: "cli-42"}
    assert await connection.call("contact.find_by_email", email="nobody@nowhere.test") is None
    assert await connection.call("contact.find_by_email", email="contato@exemplo.com.br") is None


async def test_contact_find_by_phone_compares_e164(connection, api):
    found = await connection.call("contact.find_by_phone", phone="+55 11 91234-5678")
    assert found.ref(connection.name) == MARIA
    assert found.phones == ["+5511912345678"]
    api.post("/_sandbox/ploomes/records/Contacts", json={
        "TypeId": 2, "Name": "Sósia", "Phones": [{"PhoneNumber": "(21) 95555-5678"}]})
    found = await connection.call("contact.find_by_phone", phone="11912345678")
    assert found.ref(connection.name) == MARIA
    assert await connection.call("contact.find_by_phone", phone="+5511900005678") is None


async def test_contact_find_by_phone_pages_through_candidates(connection, api):
    api.post("/_sandbox/ploomes/records/Contacts", json=[
        {"TypeId": 2, "Name": f"P{n}", "Phones": [{"PhoneNumber": f"(31) 9{n:04d}-4321"}]}
        for n in range(305)])
    found = await connection.call("contact.find_by_phone", phone="(21) 98765-4321")
    assert found.ref(connection.name) == JOAO


async def test_contact_get(connection):
    contact = await connection.call("contact.get", id=MARIA)
    assert contact.name == "Maria Souza" and contact.tax_id == "12345678909"
    with pytest.raises(NotFoundError, match="person"):
        await connection.call("contact.get", id=EXEMPLO)
    with pytest.raises(NotFoundError):
        await connection.call("contact.get", id="1")


async def test_contact_create_links_an_existing_company_by_name(connection, api):
    created = await connection.call("contact.create", Contact(
        name="Ana Lima", emails=["Ana@Acme.ind.br"], phones=["(11) 4004-1234"],
        company=Company(name="Acme Indústria S.A."),
        custom={seed.CONTACT_EXTERNAL_ID_FIELD: "cli-77"}))
    assert created.company.ref(connection.name) == ACME
    assert created.emails == ["ana@acme.ind.br"] and created.phones == ["+551140041234"]
    assert created.custom[seed.CONTACT_EXTERNAL_ID_FIELD] == "cli-77"
    assert created.custom[seed.CONTACT_MARKER_FIELD]  # the create's marker
    stored = [r for r in records(api, "Contacts") if r["Name"] == "Ana Lima"]
    assert stored[0]["CompanyId"] == int(ACME) and stored[0]["TypeId"] == 2


async def test_contact_create_creates_a_missing_company(connection, api):
    created = await connection.call("contact.create",
                                    Contact(name="Bia", company=Company(name="Nova Co")))
    company = await connection.call("company.get", id=created.company.ref(connection.name))
    assert company.name == "Nova Co"


async def test_contact_create_needs_a_name(connection):
    with pytest.raises(PermanentFailure, match="contact.name"):
        await connection.call("contact.create", Contact(emails=["x@y.z"]))


async def test_company_find_by_email_and_name(connection):
    by_email = await connection.call("company.find_by_email", email="compras@acme.ind.br")
    assert by_email.ref(connection.name) == ACME and by_email.tax_id == "44555666000172"
    by_name = await connection.call("company.find_by_name", name="exemplo ltda")
    assert by_name.ref(connection.name) == EXEMPLO
    assert await connection.call("company.find_by_name", name="Maria Souza") is None
    assert await connection.call("company.find_by_name", name="O'Neil") is None


async def test_company_get_and_create(connection):
    with pytest.raises(NotFoundError, match="company"):
        await connection.call("company.get", id=MARIA)
    created = await connection.call("company.create", Company(
        name="Beta ME", tax_id="12.345.678/0001-95", emails=["oi@beta.test"],
        custom={}))
    fetched = await connection.call("company.get", id=created.ref(connection.name))
    assert fetched.name == "Beta ME" and fetched.tax_id == "12345678000195"
    assert fetched.remote_data["TypeId"] == 1


async def test_deal_create_in_the_default_pipeline_with_owner_and_collaborators(make_connection, receiver):
    connection = make_connection(default_pipeline_id=seed.LEADS_PIPELINE_ID)
    user = await connection.call("user.ensure", name="Movidesk")
    deal = await connection.call("deal.create", Deal(
        title="Chamado 10452", amount=Decimal("99.90"),
        company=Company(refs={connection.name: EXEMPLO}),
        contact=Contact(refs={connection.name: MARIA}),
        owner=UserRef(remote_id=str(seed.SELLER_ID)),
        collaborators=[UserRef(remote_id=user.id)], custom={seed.DEAL_TICKET_FIELD: 10452}))
    assert deal.stage == str(seed.FIRST_LEAD_STAGE_ID)
    assert deal.pipeline == str(seed.LEADS_PIPELINE_ID)
    assert deal.status is DealStatus.open and deal.amount == Decimal("99.90")
    assert deal.owner.remote_id == str(seed.SELLER_ID) and deal.owner.name == "Carla Vendas"
    assert [c.remote_id for c in deal.collaborators] == [user.id]
    assert deal.company.ref(connection.name) == EXEMPLO and deal.company.name == "Exemplo Ltda"
    assert deal.contact.ref(connection.name) == MARIA
    assert deal.custom[seed.DEAL_TICKET_FIELD] == 10452


async def test_deal_create_with_a_stage_or_the_default_stage(make_connection):
    connection = make_connection(default_stage_id=10000203)
    assert (await connection.call("deal.create", Deal(title="a"))).stage == "10000203"
    assert (await connection.call("deal.create",
                                  Deal(title="b", stage="10000202"))).stage == "10000202"
    assert (await connection.call("deal.create",
                                  Deal(title="c", pipeline=str(seed.LEADS_PIPELINE_ID)))
            ).stage == str(seed.FIRST_LEAD_STAGE_ID)


async def test_deal_created_finished_goes_through_win(connection, api):
    deal = await connection.call("deal.create", Deal(title="Já fechado", status=DealStatus.won))
    assert deal.status is DealStatus.won
    posts = [r["path"] for r in api.get("/_sandbox/requests").json() if r["method"] == "POST"]
    assert posts == ["/Deals", f"/Deals({deal.ref(connection.name)})/Win"]


async def test_deal_create_reports_the_vendor_message(connection):
    with pytest.raises(VendorValidationError, match="StageId 1 is not a stage"):
        await connection.call("deal.create", Deal(title="x", stage="1"))
    with pytest.raises(PermanentFailure, match="deal.title"):
        await connection.call("deal.create", Deal())


async def test_deal_get(connection):
    deal = await connection.call("deal.get", id=DEAL)
    assert deal.title == "Upgrade Plano Ouro" and deal.amount == Decimal("1530.75")
    assert deal.company.ref(connection.name) == EXEMPLO
    assert deal.contact.ref(connection.name) == MARIA
    assert deal.contact.name == "Maria Souza"
    assert deal.owner.name == "Admin Sandbox"
    with pytest.raises(NotFoundError, match="deal"):
        await connection.call("deal.get", id="123")


async def test_deal_update_writes_only_what_changed(connection, api):
    updated = await connection.call("deal.update", id=DEAL, changes=Deal(
        amount=Decimal("2000"), custom={seed.DEAL_TICKET_FIELD: 7}))
    assert updated.amount == Decimal("2000") and updated.title == "Upgrade Plano Ouro"
    assert updated.custom == {"deal_0B7E8C1F-0000-4000-8000-000000000003": "site",
                              seed.DEAL_TICKET_FIELD: 7}
    patches = [r for r in api.get("/_sandbox/requests").json() if r["method"] == "PATCH"]
    assert [p["path"] for p in patches] == [f"/Deals({DEAL})"]


async def test_deal_update_with_a_status_uses_the_deal_actions(connection, api):
    lost = await connection.call("deal.update", id=DEAL, changes=Deal(status=DealStatus.lost))
    assert lost.status is DealStatus.lost
    reopened = await connection.call("deal.update", id=DEAL, changes=Deal(status=DealStatus.open))
    assert reopened.status is DealStatus.open and reopened.close_date is None
    paths = [r["path"] for r in api.get("/_sandbox/requests").json() if r["method"] == "POST"]
    assert paths == [f"/Deals({DEAL})/Lose", f"/Deals({DEAL})/Reopen"]


async def test_deal_finish_updates_first_then_wins(connection, api):
    won = await connection.call("deal.finish", id=DEAL, status="won",
                                changes=Deal(title="Upgrade fechado"))
    assert won.status is DealStatus.won and won.title == "Upgrade fechado"
    assert won.close_date is not None
    calls = [(r["method"], r["path"]) for r in api.get("/_sandbox/requests").json()
             if r["method"] != "GET"]
    assert calls == [("PATCH", f"/Deals({DEAL})"), ("POST", f"/Deals({DEAL})/Win")]
    again = await connection.call("deal.finish", id=DEAL, status="won")
    assert again.status is DealStatus.won
    assert sum(1 for r in api.get("/_sandbox/requests").json() if r["path"].endswith("/Win")) == 1


async def test_deal_finish_lost_with_a_reason(connection, api):
    lost = await connection.call("deal.finish", id=DEAL, status="lost", reason="Preço")
    assert lost.status is DealStatus.lost
    assert lost.remote_data["LossReasonId"] == 10000401
    stored = next(r for r in records(api, "Deals") if r["Id"] == int(DEAL))
    assert stored["StatusId"] == 3 and stored["FinishDate"]


async def test_deal_list_for_client(connection):
    second = await connection.call("deal.create", Deal(
        title="Só Maria", contact=Contact(refs={connection.name: MARIA})))
    await connection.call("deal.create", Deal(
        title="Do João", company=Company(refs={connection.name: ACME}),
        contact=Contact(refs={connection.name: JOAO})))
    await connection.call("deal.finish", id=second.ref(connection.name), status="lost")
    of_maria = await connection.call("deal.list_for_client", contact_id=MARIA)
    assert sorted(d.title for d in of_maria) == ["Só Maria", "Upgrade Plano Ouro"]
    open_of_maria = await connection.call("deal.list_for_client", contact_id=MARIA, only_open=True)
    assert [d.title for d in open_of_maria] == ["Upgrade Plano Ouro"]
    of_acme = await connection.call("deal.list_for_client", company_id=ACME)
    assert [d.title for d in of_acme] == ["Do João"]
    both = await connection.call("deal.list_for_client", contact_id=MARIA, company_id=EXEMPLO)
    assert [d.title for d in both] == ["Upgrade Plano Ouro"]
    with pytest.raises(PermanentFailure, match="contact_id or company_id"):
        await connection.call("deal.list_for_client")


async def test_pipeline_list(connection):
    pipelines = await connection.call("pipeline.list")
    assert [(p.id, p.name) for p in pipelines] == [("10000200", "Funil de Vendas"),
                                                   ("10000300", "Leads")]
    assert [s.name for s in pipelines[0].stages] == ["Prospecção", "Qualificação", "Proposta",
                                                     "Negociação"]


async def test_interaction_create_on_the_contact_and_deal(connection, api):
    created = await connection.call("interaction.create", Interaction(
        subject="Ticket 10452 resolvido", content_text="Status: Resolvido\nUrgência: Alta",
        contact=Contact(refs={connection.name: MARIA}), deal=Deal(refs={connection.name: DEAL}),
        custom={seed.INTERACTION_TICKET_FIELD: 10452}))
    assert created.contact.ref(connection.name) == MARIA
    assert created.deal.ref(connection.name) == DEAL
    assert "Urgência: Alta" in created.content_text
    stored = next(r for r in records(api, "InteractionRecords")
                  if r["Id"] == int(created.ref(connection.name)))
    assert stored["ContactId"] == int(MARIA) and stored["DealId"] == int(DEAL)
    assert stored["TypeId"] == 1
    assert stored["Content"].startswith("<p><strong>Ticket 10452 resolvido</strong></p>")
    assert stored["OtherProperties"][0]["IntegerValue"] == 10452


async def test_interaction_create_on_the_deal_client(make_connection, api):
    connection = make_connection(interaction_type_id=3)
    created = await connection.call("interaction.create", Interaction(
        content_html="<p>chat</p>", deal=Deal(refs={connection.name: DEAL})))
    assert created.company.ref(connection.name) == EXEMPLO
    stored = next(r for r in records(api, "InteractionRecords")
                  if r["Id"] == int(created.ref(connection.name)))
    assert stored["ContactId"] == int(EXEMPLO) and stored["TypeId"] == 3


async def test_interaction_create_needs_a_client(connection):
    with pytest.raises(PermanentFailure, match="interaction.contact"):
        await connection.call("interaction.create", Interaction(content_text="x"))


async def test_user_ensure_finds_or_creates(connection, api):
    created = await connection.call("user.ensure", name="Movidesk",
                                    email="movidesk@integration.test")
    again = await connection.call("user.ensure", name="Movidesk")
    assert created.id == again.id and created.email == "movidesk@integration.test"
    movidesk = [u for u in records(api, "Users") if u["Name"] == "Movidesk"]
    assert len(movidesk) == 1 and movidesk[0]["Integration"] is True
    admin = await connection.call("user.ensure", name="Admin Sandbox")
    assert admin.id == str(seed.ADMIN_ID)


async def test_webhook_register_list_remove(connection, receiver, api):
    deal_hooks = await connection.call("webhook.register", event="deal.changed", url=receiver.url())
    assert len(deal_hooks.id.split(",")) == 4
    again = await connection.call("webhook.register", event="deal.changed", url=receiver.url())
    assert again == deal_hooks
    contact_hooks = await connection.call("webhook.register", event="contact.changed",
                                          url=receiver.url())
    stored = records(api, "Webhooks")
    assert sorted((w["EntityId"], w["ActionId"]) for w in stored) == [
        (1, 1), (1, 2), (2, 2), (2, 5), (2, 6), (2, 7)]
    assert all(w["ValidationKey"] and w["CallbackUrl"] == receiver.url() for w in stored)
    listed = {w.event: w for w in await connection.call("webhook.list")}
    assert listed["deal.changed"] == deal_hooks
    assert listed["contact.changed"].id == contact_hooks.id
    assert "deal.created" not in listed
    await connection.call("webhook.remove", id=deal_hooks.id)
    assert {w.event for w in await connection.call("webhook.list")} == {"contact.changed",
                                                                        "company.changed"}
    with pytest.raises(PermanentFailure, match="ticket.created"):
        await connection.call("webhook.register", event="ticket.created", url=receiver.url())


async def test_webhook_register_sends_the_configured_validation_key(make_connection, receiver, api):
    connection = make_connection(webhook_validation_key="chave-123")
    await connection.call("webhook.register", event="deal.created", url=receiver.url())
    assert [w["ValidationKey"] for w in records(api, "Webhooks")] == ["chave-123"]


async def test_no_lead_capability(connection):
    assert not connection.has("lead.create")
