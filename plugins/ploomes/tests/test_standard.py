"""The standard connector suite of ``pontes.testing``, run against the Ploomes sandbox."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from hypothesis import strategies as st
from pontes.capabilities import NoParams
from pontes.models import Address, Company, Contact, Deal, DealStatus, Interaction, UserRef
from pontes.testing.cases import ActionCase, WebhookSample, find_created_cases, id_of, made
from pontes.testing.round_trip import canonical_emails, words
from pontes.testing.standard import ConnectorStandardTests
from pontes_ploomes import triggers
from pontes_ploomes.sandbox import seed

MARIA = "40000123"
EXEMPLO, ACME = "40000100", "40000101"
DEAL = "50000777"
HOOK_URL = "https://pontes.example.com/hooks/ploomes"

WIN = {
    "AccountId": 1000001, "Action": "Win", "ActionUserId": 10000001, "Entity": "Deals",
    "SecondaryEntityId": None,
    "New": {"Id": 50000777, "Title": "Upgrade Plano Ouro", "ContactId": 40000100, "StatusId": 2,
            "StageId": 10000201, "PipelineId": 10000200, "Amount": 1530.75, "OwnerId": 10000001,
            "FinishDate": "2025-03-12T16:00:01.233", "LastUpdateDate": "2025-03-12T16:00:01.213",
            "CollaboratingUsers": [{"UserId": 10000001}],
            "OtherProperties": {"deal_0B7E8C1F-0000-4000-8000-000000000002": "10452"}},
    "Old": {"Id": 50000777, "StatusId": 1, "LastUpdateDate": "2025-03-12T10:19:32.41"},
    "WebhookCreatorId": 10000002, "WebhookId": 50001877,
}
"""A full-snapshot delivery (a deal won), in the shape captured from Ploomes."""

THIN = {"ResourceId": 100864460, "Entity": "Deals", "Action": "Update",
        "ValidationKey": "s3cr3t", "UserId": 10018838}
"""A thin delivery, as an integrator documents it (``Entity`` is sometimes singular)."""


def _ids(text: str) -> list[str]:
    return text.split(",")


def _ref_values(record) -> list[str]:
    return list(record.refs.values()) if record is not None else []


async def _deal_for_exemplo(conn) -> Deal:
    return Deal(title="Chamado 10452", amount=Decimal("99.90"),
                pipeline=str(seed.LEADS_PIPELINE_ID),
                company=Company(refs={conn.name: EXEMPLO}),
                contact=Contact(refs={conn.name: MARIA}),
                owner=UserRef(remote_id=str(seed.SELLER_ID)))


def _deal_created(deal: Deal) -> bool:
    return (deal.stage == str(seed.FIRST_LEAD_STAGE_ID) and deal.amount == Decimal("99.90")
            and deal.status is DealStatus.open and deal.owner.name == "Carla Vendas"
            and _ref_values(deal.company) == [EXEMPLO] and deal.contact.name == "Maria Souza")


async def _note_on_the_deal(conn) -> Interaction:
    return Interaction(subject="Ticket 10452 resolvido", content_text="Status: Resolvido",
                       contact=Contact(refs={conn.name: MARIA}), deal=Deal(refs={conn.name: DEAL}))


def _note_created(note: Interaction) -> bool:
    return (note.content_text == "Ticket 10452 resolvido\nStatus: Resolvido"
            and _ref_values(note.deal) == [DEAL] and note.contact.name == "Maria Souza")


NOTE_MARKER = "6f1c2a9e-0000-4000-8000-00000000a001"
DEAL_MARKER = "6f1c2a9e-0000-4000-8000-00000000d001"


async def _deal_created_before(conn) -> Deal:
    """The draft of a deal created once already (the marker is its id)."""
    draft = (await _deal_for_exemplo(conn)).model_copy(update={"id": DEAL_MARKER})
    await conn.call("deal.create", draft)
    return draft


async def _deal_never_created(conn) -> Deal:
    return (await _deal_for_exemplo(conn)).model_copy(
        update={"id": "6f1c2a9e-0000-4000-8000-00000000d002"})


PERSON_MARKER = "6f1c2a9e-0000-4000-8000-00000000c001"
COMPANY_MARKER = "6f1c2a9e-0000-4000-8000-00000000c002"


async def _note_created_before(conn) -> Interaction:
    """The draft of a note created once already (the marker is its id)."""
    draft = (await _note_on_the_deal(conn)).model_copy(update={"id": NOTE_MARKER})
    await conn.call("interaction.create", draft)
    return draft


async def _note_never_created(conn) -> Interaction:
    return (await _note_on_the_deal(conn)).model_copy(
        update={"id": "6f1c2a9e-0000-4000-8000-00000000a002"})


async def _with_a_registration(conn) -> NoParams:
    await conn.call("webhook.register", event="deal.created", url=HOOK_URL)
    return NoParams()


class _Removal:
    """webhook.remove: register two events, remove one, then read the sandbox's webhooks."""

    def __init__(self) -> None:
        self.base_url = ""

    async def params(self, conn) -> dict:
        self.base_url = conn.settings.base_url
        await conn.call("webhook.register", event="contact.changed", url=HOOK_URL)
        deal_hooks = await conn.call("webhook.register", event="deal.changed", url=HOOK_URL)
        return {"id": deal_hooks.id}

    def check(self, output: NoParams) -> None:
        response = httpx.get(f"{self.base_url}/_sandbox/ploomes/records/Webhooks", timeout=10)
        left = sorted((w["EntityId"], w["ActionId"]) for w in response.json())
        assert output == NoParams()
        assert left == [(1, 1), (1, 2)], f"the contact webhooks alone should be left: {left}"


_REMOVAL = _Removal()

record_ids = st.integers(1, 2**31 - 1).map(str)
one_email = st.lists(canonical_emails(), min_size=1, max_size=1)
ploomes_addresses = st.lists(st.builds(
    Address, street=words(), number=st.from_regex(r"[1-9][0-9]{0,4}", fullmatch=True),
    complement=words(), district=words(),
    postal_code=st.from_regex(r"[0-9]{5}-[0-9]{3}", fullmatch=True)), min_size=1, max_size=1)
"""Ploomes keeps one address per client, in these five columns."""
custom_values = st.dictionaries(words(), st.one_of(words(), st.integers(-10**6, 10**6)),
                                min_size=1, max_size=3)


class TestPloomes(ConnectorStandardTests):
    connector = "ploomes"

    @pytest.fixture(autouse=True)
    def _fixed_clock(self, monkeypatch):
        """Thin deliveries are dated by the minute; a fixed clock keeps both parses in one."""
        monkeypatch.setattr(triggers, "clock", lambda: 1_741_795_200.0)

    def webhook_samples(self):
        return [
            WebhookSample("webhook", WIN, events=["deal.changed"]),
            WebhookSample("webhook", {**WIN, "Action": "Create", "Old": None},
                          events=["deal.created"]),
            WebhookSample("webhook", THIN, events=["deal.changed"]),
            WebhookSample("webhook", {**THIN, "Entity": "Deal"}, events=["deal.changed"]),
            WebhookSample("webhook", {"Entity": "Contacts", "Action": "Create",
                                      "New": {"Id": 40000123, "TypeId": 2}},
                          events=["contact.changed"]),
            WebhookSample("webhook", {"Entity": "Contacts", "Action": "Update",
                                      "New": {"Id": 40000100, "TypeId": 1},
                                      "Old": {"Id": 40000100, "TypeId": 1}},
                          events=["company.changed"]),
            WebhookSample("webhook", {"ResourceId": 40000100, "Entity": "Contact",
                                      "Action": "Update", "ValidationKey": "s3cr3t"},
                          events=["contact.changed"]),
            WebhookSample("webhook", {**WIN, "Action": "Delete", "New": None}, events=[]),
        ]

    def action_cases(self):
        return [
            ActionCase("contact.find_by_email", {"email": "MARIA@exemplo.com.br"},
                       lambda found: found.name == "Maria Souza" and found.tax_id == "12345678909"),
            ActionCase("contact.find_by_email", {"email": "contato@exemplo.com.br"},
                       expect_empty=True),
            ActionCase("contact.find_by_phone", {"phone": "(21) 98765-4321"},
                       lambda found: found.name == "João Lima"),
            ActionCase("contact.find_by_phone", {"phone": "+5511900005678"}, expect_empty=True),
            ActionCase("contact.list_by_email", {"email": "MARIA@exemplo.com.br"},
                       lambda found: [c.name for c in found] == ["Maria Souza"]),
            ActionCase("contact.list_by_email", {"email": "contato@exemplo.com.br"},
                       expect_empty=True),
            ActionCase("contact.list_by_phone", {"phone": "(21) 98765-4321"},
                       lambda found: [c.name for c in found] == ["João Lima"]),
            ActionCase("contact.get", {"id": MARIA},
                       lambda contact: contact.company.name == "Exemplo Ltda"
                       and contact.phones == ["+5511912345678"]),
            ActionCase("contact.create",
                       Contact(name="Ana Lima", emails=["Ana@Acme.ind.br"],
                               phones=["(11) 4004-1234"], company=Company(name="Acme Indústria S.A.")),
                       lambda contact: contact.emails == ["ana@acme.ind.br"]
                       and contact.phones == ["+551140041234"]
                       and _ref_values(contact.company) == [ACME]),
            ActionCase("company.find_by_email", {"email": "compras@acme.ind.br"},
                       lambda company: company.tax_id == "44555666000172"),
            ActionCase("company.find_by_name", {"name": "Exemplo Ltda"},
                       lambda company: company.legal_name == "Exemplo Comércio Ltda"),
            ActionCase("company.find_by_name", {"name": "Maria Souza"}, expect_empty=True),
            ActionCase("company.get", {"id": EXEMPLO},
                       lambda company: company.website == "https://exemplo.com.br"
                       and company.phones == ["+551133334444"]),
            ActionCase("contact.list", {},
                       lambda page: {"Maria Souza", "João Lima"} <= {c.name for c in page.records}
                       and page.next_cursor is None),
            ActionCase("company.list", {},
                       lambda page: "Exemplo Ltda" in {c.name for c in page.records}),
            ActionCase("company.create",
                       Company(name="Beta ME", tax_id="12.345.678/0001-95", emails=["oi@beta.test"]),
                       lambda company: company.tax_id == "12345678000195"
                       and company.remote_data["TypeId"] == 1),
            ActionCase("contact.update", id_of(made(
                "contact.create", Contact(name="Bia Prado", emails=["bia@prado.test"],
                                          phones=["(11) 4004-5678"])),
                changes=Contact(name="Bia Prado Lima", phones=[])),
                       lambda contact: contact.name == "Bia Prado Lima"
                       and contact.emails == ["bia@prado.test"] and contact.phones == []),
            ActionCase("contact.update", id_of(made(
                "contact.create", Contact(name="Caio Reis", emails=["caio@reis.test"])),
                changes=Contact(last_name="Reis Lima")),
                       lambda contact: contact.name == "Caio Reis Lima"),
            ActionCase("company.update", id_of(made(
                "company.create", Company(name="Gama ME", emails=["oi@gama.test"])),
                changes=Company(website="https://gama.test")),
                       lambda company: company.website == "https://gama.test"
                       and company.name == "Gama ME" and company.emails == ["oi@gama.test"]),
            *find_created_cases("contact", Contact(id=PERSON_MARKER, name="Rui Prado",
                                                   emails=["rui@prado.test"]),
                                lambda person: person.name == "Rui Prado"),
            *find_created_cases("company", Company(id=COMPANY_MARKER, name="Prado Comércio ME"),
                                lambda company: company.name == "Prado Comércio ME"),
            ActionCase("deal.create", _deal_for_exemplo, _deal_created),
            ActionCase("deal.find_created", _deal_created_before, _deal_created),
            ActionCase("deal.find_created", _deal_never_created, expect_empty=True),
            ActionCase("deal.get", {"id": DEAL},
                       lambda deal: deal.title == "Upgrade Plano Ouro"
                       and deal.amount == Decimal("1530.75") and deal.owner.name == "Admin Sandbox"),
            ActionCase("deal.update", {"id": DEAL, "changes": Deal(amount=Decimal("2000"))},
                       lambda deal: deal.amount == Decimal("2000")
                       and deal.title == "Upgrade Plano Ouro"),
            ActionCase("deal.finish", {"id": DEAL, "status": "won"},
                       lambda deal: deal.status is DealStatus.won and deal.close_date is not None),
            ActionCase("deal.finish", {"id": DEAL, "status": "lost", "reason": "Preço"},
                       lambda deal: deal.status is DealStatus.lost
                       and deal.remote_data["LossReasonId"] == 10000401),
            ActionCase("deal.list_for_client", {"contact_id": MARIA},
                       lambda deals: [d.title for d in deals] == ["Upgrade Plano Ouro"]),
            ActionCase("deal.list_for_client", {"company_id": ACME}, expect_empty=True),
            ActionCase("deal.list_for_client", {"contact_id": MARIA, "fields": [
                "deal_0B7E8C1F-0000-4000-8000-000000000003", "deal_no_such_field"]},
                       lambda deals: [d.custom for d in deals] == [{
                           "deal_0B7E8C1F-0000-4000-8000-000000000003": "site",
                           "deal_no_such_field": None}]),
            ActionCase("pipeline.list", {},
                       lambda pipelines: [p.name for p in pipelines] == ["Funil de Vendas", "Leads"]
                       and [s.name for s in pipelines[1].stages] == ["Novo lead", "Em qualificação"]),
            ActionCase("interaction.create", _note_on_the_deal, _note_created),
            ActionCase("interaction.find_created", _note_created_before, _note_created),
            ActionCase("interaction.find_created", _note_never_created, expect_empty=True),
            ActionCase("user.ensure", {"name": "Movidesk", "email": "movidesk@integration.test"},
                       lambda user: user.email == "movidesk@integration.test"
                       and user.id not in {str(seed.ADMIN_ID), str(seed.SELLER_ID)}),
            ActionCase("user.ensure", {"name": "Admin Sandbox"},
                       lambda user: user.id == str(seed.ADMIN_ID)),
            ActionCase("webhook.register", {"event": "deal.changed", "url": HOOK_URL},
                       lambda info: len(_ids(info.id)) == 4 and info.url == HOOK_URL),
            ActionCase("webhook.list", _with_a_registration,
                       lambda found: [(w.event, w.url, len(_ids(w.id))) for w in found]
                       == [("deal.created", HOOK_URL, 1)]),
            ActionCase("webhook.remove", _REMOVAL.params, _REMOVAL.check),
        ]

    def mapper_round_trip_fields(self):
        return {
            "contact": ["name", ("emails", one_email), "phones", "tax_id",
                        ("company.refs", record_ids.map(lambda i: {"ploomes": i})),
                        ("owner.remote_id", record_ids), ("addresses", ploomes_addresses),
                        ("custom", custom_values)],
            "company": ["name", "legal_name", "tax_id", ("emails", one_email), "phones",
                        "website", ("addresses", ploomes_addresses), ("custom", custom_values)],
            "deal": ["title", "amount", ("pipeline", record_ids), ("stage", record_ids),
                     ("company.refs", record_ids.map(lambda i: {"ploomes": i})),
                     ("contact.refs", record_ids.map(lambda i: {"ploomes": i})),
                     ("owner.remote_id", record_ids),
                     ("collaborators", st.lists(record_ids.map(lambda i: UserRef(remote_id=i)),
                                                min_size=1, max_size=3, unique_by=lambda u: u.remote_id)),
                     ("custom", custom_values)],
            "interaction": ["content_text", "occurred_at",
                            ("contact.refs", record_ids.map(lambda i: {"ploomes": i})),
                            ("deal.refs", record_ids.map(lambda i: {"ploomes": i})),
                            ("custom", custom_values)],
        }
