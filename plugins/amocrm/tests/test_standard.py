"""The standard suite of pontes for the ``amocrm`` connector (docs/testing-plugins.md)."""

import httpx
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

from pontes_amocrm.sandbox.state import ADMIN_ID

STATUS_CHANGED = (
    b"leads[status][0][id]=9774766&leads[status][0][status_id]=142"
    b"&leads[status][0][old_status_id]=58840350&leads[status][0][pipeline_id]=3508507"
    b"&leads[status][0][old_pipeline_id]=3508507&leads[status][0][responsible_user_id]=504141"
    b"&leads[status][0][last_modified]=1717400100&leads[status][0][modified_user_id]=504141"
    b"&leads[status][0][created_user_id]=504141&leads[status][0][date_create]=1717300000"
    b"&leads[status][0][price]=15000&leads[status][0][account_id]=17769199"
    b"&leads[status][0][custom_fields][0][id]=66339&leads[status][0][custom_fields][0][name]=Source"
    b"&leads[status][0][custom_fields][0][values][0][value]=jivo"
    b"&account[subdomain]=acme&account[id]=17769199"
)
"""The vendor notes' sample delivery of a lead moved to status 142 (§3.8)."""

CONTACT_ADDED = (
    b"contacts[add][0][id]=12117258&contacts[add][0][name]=Ivan%20Petrov"
    b"&contacts[add][0][responsible_user_id]=504141&contacts[add][0][date_create]=1717300000"
    b"&contacts[add][0][last_modified]=1717300000&contacts[add][0][account_id]=17769199"
    b"&account[subdomain]=acme&account[id]=17769199"
)
FORM = "application/x-www-form-urlencoded"

PIPELINE, NEW, NEGOTIATION = "3508507", "58840350", "58840353"


ana = made("contact.create", Contact(name="Ana Souza", emails=["ana.souza@example.com"],
                                     phones=["+5511987654321"]))
"""Ana, created in the sandbox with a phone and an e-mail."""


async def ana_deal(connection):
    """A lead of Ana's in the Sales pipeline, with a text field and two list choices."""
    contact = await ana(connection)
    return await connection.call("deal.create", Deal(
        title="Support upsell", amount=1500, pipeline=PIPELINE, stage=NEW, contact=contact,
        custom={"66339": "usedesk", "1372539": [{"enum_id": 705381}, {"enum_id": 705385}]}))


ANA_PHONE_AS_TYPED = "+55 (11) 98765-4321"
acme_sales = made("company.create", {"name": "Acme Ltda", "emails": ["sales@acme.com"]})


async def deal_draft(connection):
    contact = await ana(connection)
    return {"title": "From the ticket", "amount": 1, "pipeline": PIPELINE, "stage": NEW,
            "owner": {"remote_id": "504141"}, "contact": {"refs": contact.refs},
            "custom": {"66339": [{"value": "asd"}], "1372537": {"enum_id": 705377}}}


async def deals_of_ana(connection):
    deal = await ana_deal(connection)
    return {"contact_id": deal.contact.refs[connection.name]}


async def deals_of_ana_with_fields(connection):
    deal = await ana_deal(connection)
    return {"contact_id": deal.contact.refs[connection.name], "fields": ["66339", "1372537"]}


async def two_with_one_email(connection):
    for name in ("Ana (shop)", "Ana (support)"):
        await connection.call("contact.create", Contact(name=name, emails=["ana@twice.example"]))
    await connection.call("contact.create", Contact(name="Other", emails=["other@twice.example"]))
    return {"email": "ANA@twice.example"}


async def note_on_deal(connection):
    deal = await ana_deal(connection)
    return Interaction(content_text="Client asked for a call", deal=Deal(refs=deal.refs))


async def notes_of_deal(connection):
    deal = await ana_deal(connection)
    await connection.call("interaction.create", Interaction(content_text="First note",
                                                            deal=Deal(refs=deal.refs)))
    return {"deal_id": deal.refs[connection.name]}


async def note_created(connection):
    deal = await ana_deal(connection)
    draft = Interaction(content_text="Marked note", deal=Deal(refs=deal.refs))
    await connection.call("interaction.create", draft)
    return draft


hook = prepared(made("webhook.register", {"event": "deal.changed",
                                          "url": "https://pontes.example.com/hooks/a/b"}), {})


async def widget_token(connection) -> dict:
    """The one-time token the sandbox's web interface gives a widget of its administrator."""
    async with httpx.AsyncClient(base_url=connection.settings.base_url) as sandbox:
        answer = await sandbox.post("/_sandbox/one-time-token", json={"user_id": ADMIN_ID})
    return {"token": answer.raise_for_status().json()["token"]}


class TestAmocrm(ConnectorStandardTests):
    connector = "amocrm"

    def webhook_samples(self):
        """The notes' lead status change, and a contact added."""
        return [WebhookSample("webhook", STATUS_CHANGED, FORM, ["deal.changed"]),
                WebhookSample("webhook", CONTACT_ADDED, FORM, ["contact.changed"])]

    def action_cases(self):
        """Every action against the sandbox, with what amoCRM must give back."""
        return [
            *finder_cases("contact", ana, email="Ana.Souza@example.com", phone=ANA_PHONE_AS_TYPED,
                          check=lambda c: c.name == "Ana Souza"
                          and c.phones == ["+5511987654321"]),
            ActionCase("contact.list_by_email", two_with_one_email, check=lambda found: sorted(
                c.name for c in found) == ["Ana (shop)", "Ana (support)"]),
            ActionCase("contact.list_by_email", {"email": "nobody@example.com"},
                       expect_empty=True),
            ActionCase("contact.list_by_phone", prepared(ana, {"phone": ANA_PHONE_AS_TYPED}),
                       check=lambda found: [c.phones for c in found] == [["+5511987654321"]]),
            ActionCase("contact.get", id_of(ana),
                       check=lambda c: c.emails == ["ana.souza@example.com"]),
            ActionCase("contact.create", {"name": "Bruno Lima", "emails": ["b@example.org"]},
                       check=lambda c: c.emails == ["b@example.org"]),
            ActionCase("contact.update", id_of(ana, changes={"name": "Ana Souza Lima"}),
                       check=lambda c: c.name == "Ana Souza Lima"
                       and c.phones == ["+5511987654321"]),
            ActionCase("contact.update", id_of(made("contact.create", {
                "name": "Caio Reis", "first_name": "Caio", "last_name": "Reis"}),
                changes={"first_name": "Cauã"}),
                       check=lambda c: (c.name, c.first_name, c.last_name)
                       == ("Cauã Reis", "Cauã", "Reis")),
            ActionCase("company.find_by_name", prepared(acme_sales, {"name": "acme ltda"}),
                       check=lambda c: c.name == "Acme Ltda"),
            ActionCase("company.find_by_email", prepared(acme_sales, {"email": "sales@acme.com"}),
                       check=lambda c: c.name == "Acme Ltda"),
            ActionCase("company.get", id_of(made("company.create", {"name": "Acme Ltda"})),
                       check=lambda c: c.name == "Acme Ltda"),
            ActionCase("company.create", {"name": "Beta SA", "website": "https://beta.example"},
                       check=lambda c: c.website == "https://beta.example"),
            ActionCase("deal.create", deal_draft, check=lambda d: (
                d.stage == NEW and d.owner.remote_id == "504141" and d.amount == 1
                and d.custom["1372537"][0]["enum_id"] == 705377
                and d.custom["66339"][0]["value"] == "asd" and d.contact is not None)),
            ActionCase("deal.get", id_of(ana_deal), check=lambda d: d.title == "Support upsell"),
            ActionCase("deal.update", id_of(ana_deal, changes={
                "stage": NEGOTIATION, "custom": {"1372537": {"enum_id": 705379}}}),
                       check=lambda d: d.stage == NEGOTIATION
                       and d.custom["1372537"][0]["enum_id"] == 705379),
            ActionCase("deal.finish", id_of(ana_deal, status="lost"),
                       check=lambda d: d.status == "lost" and d.stage == "143"
                       and d.close_date is not None),
            ActionCase("deal.list_for_client", deals_of_ana,
                       check=lambda deals: [d.title for d in deals] == ["Support upsell"]),
            ActionCase("deal.list_for_client", deals_of_ana_with_fields,
                       check=lambda deals: [d.custom for d in deals] == [
                           {"66339": [{"value": "usedesk"}], "1372537": None}]),
            ActionCase("deal.feed", id_of(ana_deal),
                       check=lambda feed: [e.type for e in feed] == ["lead_added"]),
            ActionCase("pipeline.list", {}, check=lambda pipelines: [
                s.id for s in pipelines[0].stages] == [NEW, NEGOTIATION, "142", "143"]),
            ActionCase("user.list", {}, check=lambda users: users[0].id == "504141"),
            ActionCase("field.list", {"entity": "deal"}, check=lambda fields: any(
                f.id == "1372537" and f.required and f.required_stages == [NEGOTIATION]
                and [c.id for c in f.choices] == ["705377", "705379"] for f in fields)),
            ActionCase("interaction.create", note_on_deal,
                       check=lambda note: note.content_text == "Client asked for a call"),
            ActionCase("interaction.list", notes_of_deal,
                       check=lambda notes: [n.content_text for n in notes] == ["First note"]),
            *find_created_cases("contact", Contact(name="Marked contact"),
                                check=lambda c: c.name == "Marked contact"),
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
                       check=lambda hooks: [h.url for h in hooks]
                       == ["https://pontes.example.com/hooks/a/b"]),
            ActionCase("webhook.remove", prepared(made("webhook.register", {
                "event": "deal.created", "url": "https://pontes.example.com/h/x"}),
                lambda info: {"id": info.id})),
            ActionCase("user.identify", widget_token,
                       check=lambda user: user.id == str(ADMIN_ID)),
        ]

    def mapper_round_trip_fields(self):
        """What amoCRM keeps of each record (prices are whole numbers)."""
        whole = st.integers(0, 10_000_000)
        return {
            "contact": ["name", ("emails", st.lists(canonical_emails(), max_size=3)),
                        ("phones", st.lists(canonical_phones(), max_size=3))],
            "company": ["name", ("emails", st.lists(canonical_emails(), max_size=2)), "website"],
            "deal": ["title", ("amount", whole), ("pipeline", st.just(PIPELINE)),
                     ("stage", st.just(NEW))],
            "interaction": ["content_text"],
        }
