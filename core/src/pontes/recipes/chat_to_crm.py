"""``chat_to_crm``: every finished live chat becomes records in the CRM.

Seed 001 (JivoChat -> Ploomes). The operator chooses what a chat creates:

- ``company_person_deal``: company, person and deal;
- ``lead``: a lead (a deal not yet qualified);
- ``person_deal``: person and deal;
- ``company_person``: company and person only.

Clients are never duplicated: the visitor is looked up by link, e-mail and phone
(normalised to E.164) first. With ``avoid_duplicate_deals``, a person who already has an
open deal gets no second one. The transcript is saved as an interaction on the client.
Offline messages (left while no agent was online) are handled as leads.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, field_validator

from ..capabilities import Pipeline
from ..connection import Connection
from ..errors import PermanentFailure
from ..models import (
    Chat,
    ClientContext,
    Company,
    Contact,
    Deal,
    Direction,
    Event,
    Interaction,
    InteractionKind,
)
from .activation import activate_webhooks
from .base import MappingSlot, Recipe, RoleSpec, RunContext, SetupStep
from .clients import (
    ENVELOPE,
    SYSTEM_BOUND,
    Client,
    client_label,
    find_contact,
    find_or_create_client,
    translate,
)
from .text import check_template, render


class Behaviour(StrEnum):
    """What a finished chat creates in the CRM (the four choices of seed 001)."""

    company_person_deal = "company_person_deal"
    lead = "lead"
    person_deal = "person_deal"
    company_person = "company_person"

    @property
    def creates_company(self) -> bool:
        return self in (Behaviour.company_person_deal, Behaviour.company_person)

    @property
    def creates_deal(self) -> bool:
        return self in (Behaviour.company_person_deal, Behaviour.person_deal)


class ChatToCrmOptions(BaseModel):
    """Options of ``chat_to_crm``.

    - ``behaviour``: see ``Behaviour``; ``offline_behaviour``: the same for offline
      messages (default: a lead);
    - ``pipeline`` / ``stage``: where deals go, by name or id (checked at activation);
    - ``lead_pipeline`` / ``lead_stage``: where leads go when the CRM has no leads of its
      own (they become deals in that pipeline and stage);
    - ``avoid_duplicate_deals``: no second open deal for the same person;
    - ``save_transcript``: keep the conversation in the client's history;
    - ``deal_title``: the deal's title, with ``{visitor} {email} {phone} {page} {agent}``;
    - ``skip_anonymous``: ignore chats whose visitor left no name, e-mail or phone;
    - ``show_crm_context``: when an agent accepts a chat (or the visitor's data changes),
      answer the chat product with the client's open deals from the CRM;
    - ``crm_link``: the address of a client in the CRM's web app, shown to the agent as a
      link, with ``{contact_id}`` and ``{company_id}`` (CRM ids) as placeholders.
    """

    model_config = ConfigDict(extra="forbid")

    behaviour: Behaviour = Behaviour.company_person_deal
    offline_behaviour: Behaviour = Behaviour.lead
    pipeline: str | None = None
    stage: str | None = None
    lead_pipeline: str | None = None
    lead_stage: str | None = None
    avoid_duplicate_deals: bool = True
    save_transcript: bool = True
    deal_title: str = "Chat with {visitor}"
    skip_anonymous: bool = True
    show_crm_context: bool = False
    crm_link: str | None = None

    @field_validator("deal_title")
    @classmethod
    def _title_placeholders_are_known(cls, value: str) -> str | None:
        return check_template(value, CHAT_PLACEHOLDERS)

    @field_validator("crm_link")
    @classmethod
    def _link_placeholders_are_known(cls, value: str | None) -> str | None:
        return check_template(value, LINK_PLACEHOLDERS)


CHAT_PLACEHOLDERS = ("visitor", "email", "phone", "page", "agent")
"""What ``deal_title`` may use (``_chat_fields`` fills each of them)."""
LINK_PLACEHOLDERS = ("contact_id", "company_id")
"""What ``crm_link`` may use."""


def resolve_stage(pipelines: list[Pipeline], pipeline: str | None, stage: str | None,
                  where: str) -> tuple[str | None, str | None]:
    """Pipeline and stage ids from names or ids; a clear error when either is unknown."""
    if pipeline is None:
        if stage is not None:
            raise PermanentFailure(f"{where}: a stage needs its pipeline")
        return None, None
    chosen = next((p for p in pipelines if pipeline in (p.id, p.name)
                   or p.name.casefold() == pipeline.casefold()), None)
    if chosen is None:
        names = ", ".join(f"{p.name} ({p.id})" for p in pipelines) or "none"
        raise PermanentFailure(f"{where}: no pipeline {pipeline!r}; the CRM has: {names}")
    if stage is None:
        return chosen.id, chosen.stages[0].id if chosen.stages else None
    step = next((s for s in chosen.stages if stage in (s.id, s.name)
                 or s.name.casefold() == stage.casefold()), None)
    if step is None:
        names = ", ".join(f"{s.name} ({s.id})" for s in chosen.stages) or "none"
        raise PermanentFailure(f"{where}: pipeline {chosen.name!r} has no stage {stage!r}; "
                               f"its stages: {names}")
    return chosen.id, step.id


async def _where_deals_go(crm: Connection, options: ChatToCrmOptions, lead: bool,
                          integration: str) -> tuple[str | None, str | None]:
    pipeline, stage = ((options.lead_pipeline, options.lead_stage) if lead
                       else (options.pipeline, options.stage))
    if pipeline is None or not crm.has("pipeline.list"):
        return pipeline, stage
    prefix = "lead_" if lead else ""
    return resolve_stage(await crm.call("pipeline.list"), pipeline, stage,
                         f"integrations.{integration}.options.{prefix}pipeline")


def _chat_fields(chat: Chat) -> dict[str, str]:
    visitor = chat.visitor or Contact()
    return {
        "visitor": visitor.display_name() or (visitor.email or "visitor"),
        "email": visitor.email or "-",
        "phone": visitor.phones[0] if visitor.phones else "-",
        "page": chat.page_url or "-",
        "agent": (chat.agent.name if chat.agent else None) or "-",
    }


def _drafts(ctx: RunContext, chat: Chat, visitor: Contact, company: Company | None) -> Client:
    person = translate(ctx, "contact", chat, Contact, carry=False, **visitor.model_dump(
        exclude=ENVELOPE | SYSTEM_BOUND | {"company"}, exclude_none=True))
    firm = (translate(ctx, "company", chat, Company, carry=False,
                      **company.model_dump(exclude=ENVELOPE, exclude_none=True))
            if company else None)
    return Client(person, firm)


async def _open_deal_exists(crm: Connection, client: Client) -> Deal | None:
    if not crm.has("deal.list_for_client"):
        return None
    contact_id = client.contact.ref(crm.name) if client.contact else None
    company_id = client.company.ref(crm.name) if client.company else None
    if contact_id is None and company_id is None:
        return None
    deals = await crm.call("deal.list_for_client", contact_id=contact_id,
                           company_id=None if contact_id else company_id, only_open=True)
    return deals[0] if deals else None


async def _create_deal(ctx: RunContext, chat: Chat, client: Client, options: ChatToCrmOptions,
                       lead: bool) -> str | None:
    crm = ctx.role("crm")
    capability = "lead.create" if lead and crm.has("lead.create") else "deal.create"
    if capability == "deal.create" and not crm.has("deal.create"):
        raise PermanentFailure(f"{crm.name} can create neither leads nor deals")
    pipeline, stage = await _where_deals_go(crm, options, lead, ctx.integration.name)
    title = render(options.deal_title, _chat_fields(chat),
                   f"integrations.{ctx.integration.name}.options.deal_title")
    draft = translate(ctx, "lead" if lead else "deal", chat, Deal, carry=False, **{
        "title": title, "contact": client.contact or chat.visitor, "company": client.company,
        **({"pipeline": pipeline} if pipeline else {}), **({"stage": stage} if stage else {}),
    })
    # An earlier attempt's deal is this chat's deal, not another open deal to step aside for.
    earlier = await ctx.created("deal", crm, capability, draft)
    if earlier is not None:
        return earlier
    if options.avoid_duplicate_deals and (existing := await _open_deal_exists(crm, client)):
        ctx.note(f"{client_label(client.contact)} already has open deal "
                 f"{existing.ref(crm.name)}: no second deal")
        return None
    deal_id = await ctx.create("deal", crm, capability, draft)
    kind = "lead" if capability == "lead.create" else ("deal (as a lead)" if lead else "deal")
    ctx.note(f"created {kind} {deal_id} {title!r} in {crm.name}")
    return deal_id


async def _save_transcript(ctx: RunContext, chat: Chat, client: Client, deal_id: str | None) -> None:
    crm = ctx.role("crm")
    if not crm.has("interaction.create") or not (chat.messages or chat.description):
        return
    deal = Deal(refs={crm.name: deal_id}) if deal_id else None
    when = chat.finished_at or chat.started_at
    record = Interaction(
        kind=InteractionKind.chat,
        subject=f"Chat with {_chat_fields(chat)['visitor']}",
        content_text=chat.transcript() or chat.description,
        occurred_at=when, direction=Direction.inbound,
        contact=client.contact, company=client.company, deal=deal,
    )
    record_id = await ctx.create("transcript", crm, "interaction.create", record)
    ctx.note(f"saved the transcript as interaction {record_id}")


RECORDED_EVENTS = ("chat.finished", "chat.offline_message")
CONTEXT_EVENTS = ("chat.accepted", "chat.updated")


async def handle(ctx: RunContext, event: Event) -> str:
    """Create the CRM records for one finished chat or offline message."""
    options: ChatToCrmOptions = ctx.options
    if event.type not in RECORDED_EVENTS:
        return f"{event.type}: nothing to record"
    chat = await ctx.load(Chat)
    behaviour = options.offline_behaviour if chat.offline else options.behaviour
    visitor = chat.visitor or Contact()
    if options.skip_anonymous and not (visitor.display_name() or visitor.emails or visitor.phones):
        return "the visitor left no name, e-mail or phone: nothing to record"
    if not (visitor.emails or visitor.phones):
        ctx.note("the visitor left no e-mail or phone: an existing client cannot be recognised")
    company = (Company(name=chat.organization) if behaviour.creates_company and chat.organization
               else None)
    chat_connection, crm = ctx.source, ctx.role("crm")
    lead = behaviour is Behaviour.lead
    client = Client()
    if not (lead and crm.has("lead.create")):
        client = await find_or_create_client(ctx, chat_connection, crm, visitor, company,
                                             create=True, drafts=_drafts(ctx, chat, visitor, company))
        if client.contact is None:
            raise PermanentFailure(f"{crm.name} could not find or create {client_label(visitor)}")
    deal_id = None
    if lead or behaviour.creates_deal:
        deal_id = await _create_deal(ctx, chat, client, options, lead)
    if options.save_transcript and client.found:
        await _save_transcript(ctx, chat, client, deal_id)
    return "; ".join(ctx.notes) or f"chat of {client_label(visitor)}: nothing new to record"


async def client_context(ctx: RunContext) -> ClientContext | None:
    """The CRM's person and open deals for the visitor of a chat an agent is handling."""
    if not ctx.options.show_crm_context:
        return None
    chat = await ctx.load(Chat)
    crm = ctx.role("crm")
    contact = await find_contact(ctx, ctx.source, chat.visitor, crm)
    if contact is None:
        return ClientContext()
    deals = []
    if crm.has("deal.list_for_client") and contact.ref(crm.name):
        deals = await crm.call("deal.list_for_client", contact_id=contact.ref(crm.name),
                               only_open=True)
    company = contact.company
    link = None
    if ctx.options.crm_link:
        link = render(ctx.options.crm_link, {
            "contact_id": contact.ref(crm.name) or "",
            "company_id": (company.ref(crm.name) if company else None) or "",
        }, f"integrations.{ctx.integration.name}.options.crm_link")
    return ClientContext(contact=contact, company=company, deals=deals, url=link)


async def activate(integration, hook_urls: dict[str, str]) -> list[SetupStep]:
    """Check pipelines and stages against the CRM, then set up the chat webhook."""
    options: ChatToCrmOptions = integration.options
    crm = integration.connections["crm"]
    steps = []
    for lead in (False, True):
        pipeline, stage = await _where_deals_go(crm, options, lead, integration.name)
        if pipeline:
            kind = "leads" if lead else "deals"
            steps.append(SetupStep(f"{crm.name}: {kind} go to pipeline {pipeline}, stage {stage}",
                                   True))
    return steps + await activate_webhooks(integration, hook_urls)


RECIPE = Recipe(
    name="chat_to_crm",
    description="Every finished chat creates a client, a deal or a lead, and keeps the transcript.",
    roles={
        "chat": RoleSpec(triggers=RECORDED_EVENTS + CONTEXT_EVENTS,
                         description="the live chat"),
        "crm": RoleSpec(requires=("contact.find_by_email", "contact.create"),
                        optional=("contact.find_by_phone", "company.create", "company.find_by_name",
                                  "deal.create", "lead.create", "deal.list_for_client",
                                  "pipeline.list", "interaction.create", "contact.find_created",
                                  "company.find_created", "deal.find_created",
                                  "lead.find_created", "interaction.find_created"),
                        description="where clients, deals and leads are created"),
    },
    handle=handle,
    options=ChatToCrmOptions,
    mappings={
        "contact": MappingSlot(Chat, Contact, "chat -> the visitor's person"),
        "company": MappingSlot(Chat, Company, "chat -> the visitor's company"),
        "deal": MappingSlot(Chat, Deal, "chat -> the new deal"),
        "lead": MappingSlot(Chat, Deal, "chat -> the new lead"),
    },
    activate=activate,
    context=client_context,
    context_events=CONTEXT_EVENTS,
)
