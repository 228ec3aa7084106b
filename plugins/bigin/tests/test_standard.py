"""The standard suite of pontes for the ``bigin`` connector (docs/testing-plugins.md)."""

from decimal import Decimal

from hypothesis import strategies as st
from pontes.plugin import Company, Contact, Deal, Interaction
from pontes.testing import (
    ActionCase,
    ConnectorStandardTests,
    WebhookSample,
    find_created_cases,
    finder_cases,
    id_of,
    made,
    prepared,
)
from pontes.testing.round_trip import canonical_emails, canonical_phones

from pontes_bigin.channels import watch_token_of
from pontes_bigin.connector import BiginSettings
from pontes_bigin.sandbox import sandbox_settings

SANDBOX_WATCH_TOKEN = watch_token_of(BiginSettings.model_validate(
    sandbox_settings("http://127.0.0.1:9")))
"""The token a connection to the sandbox gives its channels (and checks on delivery)."""

NOTIFICATION = {
    "server_time": 1696942911242, "query_params": {}, "module": "Accounts",
    "resource_uri": "https://www.zohoapis.com/bigin/v2/Accounts",
    "ids": ["5436046000000930004"], "affected_fields": [], "operation": "insert",
    "channel_id": "1001", "token": SANDBOX_WATCH_TOKEN,
}
"""The vendor notes' sample notification (§2.7): an account inserted, with the token of a
connection to the sandbox."""

DEAL_UPDATED = {**NOTIFICATION, "module": "Pipelines", "operation": "update",
                "resource_uri": "https://www.zohoapis.com/bigin/v2/Pipelines",
                "affected_fields": [{"5436046000000930004": ["Stage"]}]}

PIPELINE, FIRST, NEGOTIATION = "Sales Pipeline Standard", "Qualification", "Negotiation/Review"


ana = made("contact.create", Contact(name="Ana Souza", emails=["ana.souza@example.com"],
                                     phones=["+5511987654321"]))
"""Ana, created in the sandbox with a phone and an e-mail."""


async def ana_deal(connection):
    contact = await ana(connection)
    return await connection.call("deal.create", Deal(
        title="Support upsell", amount=Decimal("1500.50"), pipeline=PIPELINE, stage=FIRST,
        contact=contact))


acme = prepared(made("company.create", {"name": "Acme (Brasil), Ltda"}),
                {"name": "acme (brasil), ltda"})
acme_by_phone = prepared(made("company.create", {"name": "Acme Fone",
                                                 "phones": ["+551134564000"]}),
                         {"phone": "+55 11 3456-4000"})
acme_changes = id_of(made("company.create", {"name": "Acme Ltda",
                                             "website": "https://acme.example"}),
                     changes={"name": "Acme SA"})
acme_ltda = made("company.create", {"name": "Acme Ltda"})


async def deal_draft(connection):
    contact = await ana(connection)
    return {"title": "From the chat", "amount": 10, "contact": {"refs": contact.refs},
            "owner": {"remote_id": "5436046000000210002"}}


async def deals_of_ana(connection):
    deal = await ana_deal(connection)
    return {"contact_id": deal.contact.refs[connection.name]}


async def note_on_deal(connection):
    deal = await ana_deal(connection)
    return Interaction(subject="Call", content_text="Client asked for a call",
                       deal=Deal(refs=deal.refs))


async def notes_of_contact(connection):
    contact = await ana(connection)
    await connection.call("interaction.create", Interaction(
        content_text="First note", contact=Contact(refs=contact.refs)))
    return {"contact_id": contact.refs[connection.name]}


async def note_created(connection):
    company = await connection.call("company.create", {"name": "Noted Ltda"})
    draft = Interaction(content_text="Marked note", company=Company(refs=company.refs))
    await connection.call("interaction.create", draft)
    return draft


hook = prepared(made("webhook.register", {"event": "deal.changed",
                                          "url": "https://pontes.example.com/hooks/a/b"}), {})


async def two_contacts_one_bad(connection):
    return {"module": "Contacts", "records": [
        {"Last_Name": "Ng", "Email": "dana@example.com"}, {"First_Name": "No last name"}]}


async def upsert_existing(connection):
    await ana(connection)
    return {"module": "Contacts", "duplicate_check_fields": ["Email"], "records": [
        {"Last_Name": "Souza", "Email": "ana.souza@example.com", "Title": "CTO"},
        {"Last_Name": "Novo", "Email": "novo@example.com"}]}


async def updates_of_ana(connection):
    contact = await ana(connection)
    return {"module": "Contacts", "records": [{"id": contact.refs[connection.name],
                                               "Title": "Head of support"}]}


class TestBigin(ConnectorStandardTests):
    connector = "bigin"

    def webhook_samples(self):
        """The notes' notification sample, and a deal updated."""
        return [WebhookSample("notifications", NOTIFICATION, "application/json",
                              ["company.changed"]),
                WebhookSample("notifications", DEAL_UPDATED, "application/json",
                              ["deal.changed"])]

    def action_cases(self):
        """Every action against the sandbox, with what Bigin must give back."""
        return [
            *finder_cases("contact", ana, email="Ana.Souza@example.com",
                          phone="+55 (11) 98765-4321", check=lambda c: c.name == "Ana Souza"
                          and c.last_name == "Souza" and c.phones == ["+5511987654321"]),
            ActionCase("contact.get", id_of(ana),
                       check=lambda c: c.emails == ["ana.souza@example.com"]
                       and c.owner.name == "Sam Rep"),
            ActionCase("contact.create", {"name": "Bruno Lima", "emails": ["b@example.org"]},
                       check=lambda c: c.first_name == "Bruno" and c.last_name == "Lima"),
            ActionCase("contact.update", id_of(ana, changes={"last_name": "Souza Lima"}),
                       check=lambda c: c.name == "Ana Souza Lima"
                       and c.phones == ["+5511987654321"]),
            ActionCase("company.find_by_name", acme,
                       check=lambda c: c.name == "Acme (Brasil), Ltda"),
            ActionCase("company.find_by_phone", acme_by_phone,
                       check=lambda c: c.name == "Acme Fone"),
            ActionCase("company.get", id_of(acme_ltda), check=lambda c: c.name == "Acme Ltda"),
            ActionCase("contact.list", prepared(ana, {}),
                       check=lambda page: "ana.souza@example.com" in
                       {e for c in page.records for e in c.emails}),
            ActionCase("company.list", prepared(acme_ltda, {}),
                       check=lambda page: "Acme Ltda" in {c.name for c in page.records}),
            ActionCase("company.update", acme_changes,
                       check=lambda c: c.name == "Acme SA" and c.website == "https://acme.example"),
            ActionCase("company.create", {"name": "Beta SA", "website": "https://beta.example"},
                       check=lambda c: c.website == "https://beta.example"),
            ActionCase("deal.create", deal_draft, check=lambda d: (
                d.pipeline == PIPELINE and d.stage == FIRST and d.amount == 10
                and d.owner.remote_id == "5436046000000210002" and d.contact is not None)),
            ActionCase("deal.get", id_of(ana_deal), check=lambda d: d.title == "Support upsell"
                       and d.amount == Decimal("1500.5")),
            ActionCase("deal.update", id_of(ana_deal, changes={"stage": NEGOTIATION}),
                       check=lambda d: d.stage == NEGOTIATION),
            ActionCase("deal.finish", id_of(ana_deal, status="lost"),
                       check=lambda d: d.status == "lost" and d.stage == "Closed Lost"),
            ActionCase("deal.list_for_client", deals_of_ana,
                       check=lambda deals: [d.title for d in deals] == ["Support upsell"]),
            ActionCase("pipeline.list", {}, check=lambda pipelines: [
                p.name for p in pipelines] == [PIPELINE, "Renewals"]
                and pipelines[0].stages[-2].name == "Closed Won"),
            ActionCase("field.list", {"entity": "contact"}, check=lambda fields: any(
                f.id == f.code == "Last_Name" and f.required for f in fields) and any(
                f.id == "Lead_Source" and f.code is None
                and [c.value for c in f.choices][0] == "Chat" for f in fields)),
            ActionCase("user.list", {}, check=lambda users: users[0].name == "Sam Rep"),
            ActionCase("user.ensure", {"name": "rita seller"},
                       check=lambda user: user.id == "5436046000000210002"),
            ActionCase("interaction.create", note_on_deal,
                       check=lambda note: note.content_text == "Client asked for a call"
                       and note.subject == "Call"),
            ActionCase("interaction.list", notes_of_contact,
                       check=lambda notes: [n.content_text for n in notes] == ["First note"]),
            *find_created_cases("contact", Contact(name="Marked Contact"), check=lambda c: (
                c.name == "Marked Contact" and "pontes:" not in c.custom["Description"])),
            *find_created_cases("company", Company(name="Marked company"),
                                check=lambda c: c.name == "Marked company"),
            *find_created_cases("deal", Deal(title="Marked deal"),
                                check=lambda d: d.title == "Marked deal"),
            ActionCase("interaction.find_created", note_created,
                       check=lambda n: n.content_text == "Marked note"),
            ActionCase("webhook.register", {"event": "deal.changed",
                                            "url": "https://pontes.example.com/hooks/a/b"},
                       check=lambda info: info.event == "deal.changed"),
            ActionCase("webhook.list", hook,
                       check=lambda hooks: [(h.event, h.url) for h in hooks]
                       == [("deal.changed", "https://pontes.example.com/hooks/a/b")]),
            ActionCase("webhook.remove", prepared(made("webhook.register", {
                "event": "contact.changed", "url": "https://pontes.example.com/h/x"}),
                lambda info: {"id": info.id})),
            ActionCase("bigin.records.insert", two_contacts_one_bad, check=lambda out: [
                (o.status, o.code) for o in out] == [("success", "SUCCESS"),
                                                     ("error", "MANDATORY_NOT_FOUND")]
                and out[1].details["api_name"] == "Last_Name"),
            ActionCase("bigin.records.upsert", upsert_existing, check=lambda out: [
                (o.action, o.duplicate_field) for o in out] == [("update", "Email"),
                                                                ("insert", None)]),
            ActionCase("bigin.records.update", updates_of_ana,
                       check=lambda out: out[0].status == "success" and out[0].id),
        ]

    def mapper_round_trip_fields(self):
        """What Bigin keeps of each record (two e-mails and two phones on a contact, one
        phone on an account, amounts in cents)."""
        cents = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False,
                            allow_infinity=False)
        return {
            "contact": ["first_name", "last_name",
                        ("emails", st.lists(canonical_emails(), max_size=2)),
                        ("phones", st.lists(canonical_phones(), max_size=2))],
            "company": ["name", ("phones", st.lists(canonical_phones(), max_size=1)),
                        "website"],
            "deal": ["title", ("amount", cents), ("pipeline", st.just(PIPELINE)),
                     ("stage", st.just(FIRST))],
            "interaction": ["subject", "content_text"],
        }
