"""``deal_request``: a helpdesk automation's POST request creates a CRM deal, once per
ticket, with a note.

Seed 003: a helpdesk rule ends with "send a POST request" to the integration's request
URL (``pontes hooks`` prints it, with a body to paste), carrying::

    {"ticketId": "<the helpdesk's ticket id placeholder>",
     "fields": {"name": "...", "price": 1, "status_id": 55524250, "pipeline_id": 6516490,
                "responsible_user_id": 9311182,
                "custom_fields_values": [{"field_id": 1025541, "values": [{"value": "asd"}]},
                                         {"field_id": 1372537, "values": [{"enum_id": 705377}]}]},
     "comment": "a note for the deal"}

The request is checked against the CRM's metadata before it is stored (an unknown
pipeline, stage, user, field or choice is refused with 422 naming the field), stored,
and run by the engine with retries: the deal is created in the pipeline and stage with
its price, responsible user and custom fields (see ``custom_value``), linked
to the ticket in the links store (and, with ``link_client``, to the CRM contact of the
ticket's client when one is found by e-mail or phone), and given ``comment`` as a note. A
ticket gets one deal however often its rule fires; what the CRM refuses when the deal is
created makes the event dead with the CRM's message.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..connection import Connection
from ..errors import NotFoundError
from ..models import Contact, Deal, Event, Interaction, Ticket, UserRef
from .base import Integration, Recipe, RoleSpec, RunContext
from .crm_metadata import CrmMetadata, crm_metadata
from .requests import FieldProblem, RequestRefused, RequestSpec
from .text import render

LINK = "deal-ticket"
"""Links kind of a ticket and its deal (the one ``deal_to_ticket`` uses too)."""

EVENT = "deal.requested"
"""The event a request becomes."""


def _id_text(value: Any) -> Any:
    """Ids arrive as numbers or as text (placeholders are filled as text): kept as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return value


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldValue(_Body):
    """One value of a custom field: a ``value``, or the ``enum_id`` of a list's choice
    (passed on as given: a number stays a number)."""

    value: str | int | float | bool | None = None
    enum_id: int | str | None = None

    @model_validator(mode="after")
    def _one_of(self) -> FieldValue:
        if (self.value is None) == (self.enum_id is None):
            raise ValueError("give either value or enum_id")
        return self


class CustomFieldValue(_Body):
    """A custom field of the deal: its id and its values."""

    field_id: str = Field(min_length=1)
    values: list[FieldValue] = Field(min_length=1)

    _ids = field_validator("field_id", mode="before")(_id_text)


class DealFields(_Body):
    """The deal asked for: pipeline (required), stage, title, price, responsible user and
    custom fields."""

    name: str | None = Field(default=None, max_length=255)
    price: Decimal | None = Field(default=None, ge=0, allow_inf_nan=False)
    pipeline_id: str = Field(min_length=1)
    status_id: str | None = None
    responsible_user_id: str | None = None
    custom_fields_values: list[CustomFieldValue] = Field(default_factory=list)

    _ids = field_validator("pipeline_id", "status_id", "responsible_user_id",
                           mode="before")(_id_text)


class DealRequestBody(BaseModel):
    """A request's body. Keys other than these at the top level (an id the helpdesk's
    form asks for, say) are ignored; inside ``fields`` they are refused."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    ticket_id: str = Field(alias="ticketId", min_length=1, max_length=100)
    fields: DealFields
    comment: str | None = Field(default=None, max_length=20000)

    _ids = field_validator("ticket_id", mode="before")(_id_text)

    @field_validator("ticket_id")
    @classmethod
    def _filled(cls, value: str) -> str:
        if "{" in value or "}" in value:
            raise ValueError(f"{value!r} is a placeholder the helpdesk did not fill in")
        return value


class DealRequestOptions(BaseModel):
    """Options of ``deal_request``.

    - ``title``: the deal's title when the request gives no ``name``, with the
      placeholder ``{ticket_id}``;
    - ``link_client``: link the deal to the CRM contact of the ticket's client (found by
      e-mail, then phone; never created);
    - ``ticket_placeholder``: how the helpdesk's rule writes the ticket's id, for the
      example ``pontes hooks`` prints.
    """

    model_config = ConfigDict(extra="forbid")

    title: str = "Ticket {ticket_id}"
    link_client: bool = True
    ticket_placeholder: str = "{{ticket_id}}"


def problems_with(body: DealRequestBody, metadata: CrmMetadata, crm: str) -> list[FieldProblem]:
    """The fields of ``body`` that ``crm``'s metadata says it would refuse."""
    fields = body.fields
    problems = []
    pipeline = metadata.pipeline(fields.pipeline_id)
    if pipeline is None:
        known = ", ".join(f"{p.id} ({p.name})" for p in metadata.pipelines or []) or "none"
        problems.append(FieldProblem("fields.pipeline_id", f"{crm} has no pipeline "
                                     f"{fields.pipeline_id}; its pipelines: {known}"))
    elif fields.status_id is not None and fields.status_id not in {s.id for s in pipeline.stages}:
        known = ", ".join(f"{s.id} ({s.name})" for s in pipeline.stages) or "none"
        problems.append(FieldProblem("fields.status_id", f"pipeline {pipeline.id} of {crm} "
                                     f"has no status {fields.status_id}; its statuses: {known}"))
    if (fields.responsible_user_id is not None and metadata.users is not None
            and fields.responsible_user_id not in {u.id for u in metadata.users}):
        problems.append(FieldProblem("fields.responsible_user_id",
                                     f"{crm} has no user {fields.responsible_user_id}"))
    if metadata.deal_fields is None:
        return problems
    for index, custom in enumerate(fields.custom_fields_values):
        where = f"fields.custom_fields_values.{index}"
        definition = metadata.deal_field(custom.field_id)
        if definition is None:
            problems.append(FieldProblem(f"{where}.field_id",
                                         f"{crm} has no deal field {custom.field_id}"))
            continue
        choices = {c.id for c in definition.choices}
        for position, value in enumerate(custom.values):
            if value.enum_id is not None and str(value.enum_id) not in choices:
                problems.append(FieldProblem(
                    f"{where}.values.{position}.enum_id",
                    f"field {custom.field_id} ({definition.name}) of {crm} has no choice "
                    f"{value.enum_id}; its choices: "
                    f"{', '.join(f'{c.id} ({c.value})' for c in definition.choices) or 'none'}"))
    return problems


async def check(integration: Integration, body: DealRequestBody) -> list[FieldProblem]:
    """The request's fields the CRM would refuse, read from its (cached) metadata."""
    crm = integration.connections["crm"]
    return problems_with(body, await crm_metadata(crm), crm.name)


async def example(integration: Integration) -> dict[str, Any]:
    """A body for the helpdesk's rule: the CRM's first pipeline and its first status, the
    first user, and a value for the custom fields the CRM requires (or, when it requires
    none, for its first list field and its first other field), from the CRM's metadata."""
    crm = integration.connections["crm"]
    metadata = await crm_metadata(crm)
    pipeline = metadata.pipelines[0] if metadata.pipelines else None
    fields: dict[str, Any] = {"name": "Deal from ticket", "price": 0}
    if pipeline is not None:
        fields["pipeline_id"] = _number(pipeline.id)
        if pipeline.stages:
            fields["status_id"] = _number(pipeline.stages[0].id)
    if metadata.users:
        fields["responsible_user_id"] = _number(metadata.users[0].id)
    custom = [{"field_id": _number(definition.id), "values": [
        {"enum_id": _number(definition.choices[0].id)} if definition.choices
        else {"value": "..."}]} for definition in example_fields(metadata)]
    if custom:
        fields["custom_fields_values"] = custom
    return {"ticketId": integration.options.ticket_placeholder, "fields": fields,
            "comment": "Created from a helpdesk rule"}


def example_fields(metadata: CrmMetadata) -> list:
    """The custom fields the example fills: the required ones, or else the first list
    field and the first other one (system fields, which have a code, left out)."""
    own = [f for f in metadata.deal_fields or [] if not f.code]
    required = [f for f in own if f.required or f.required_stages]
    if required:
        return required
    lists = [f for f in own if f.choices]
    others = [f for f in own if not f.choices]
    return lists[:1] + others[:1]


def _number(text: str) -> int | str:
    return int(text) if text.isdigit() else text


async def _client_contact(ctx: RunContext, helpdesk: Connection, crm: Connection,
                          ticket_id: str) -> Contact | None:
    """The CRM contact of the ticket's client, found by e-mail then phone, or ``None``."""
    if not (ctx.options.link_client and helpdesk.has("ticket.get")):
        return None
    try:
        ticket: Ticket = await helpdesk.call("ticket.get", id=ticket_id)
    except NotFoundError:
        ctx.note(f"ticket {ticket_id} was not found in {helpdesk.name}: the deal has no client")
        return None
    client = ticket.requester
    if client is None:
        return None
    searches = [("contact.find_by_email", "email", e) for e in client.emails]
    searches += [("contact.find_by_phone", "phone", p) for p in client.phones]
    for capability, key, value in searches:
        if crm.has(capability):
            found = await crm.call(capability, **{key: value})
            if found is not None:
                return found
    return None


def custom_value(field: CustomFieldValue) -> Any:
    """A custom field's value on the canonical deal: one plain ``value`` as itself (as any
    CRM's mapper takes a field's value), otherwise the ``values`` list as given (choices
    by ``enum_id``, several values), which a CRM with such fields takes as it is."""
    if len(field.values) == 1 and field.values[0].enum_id is None:
        return field.values[0].value
    return [value.model_dump(exclude_none=True) for value in field.values]


def _draft(ctx: RunContext, body: DealRequestBody, contact: Contact | None) -> Deal:
    fields = body.fields
    title = fields.name or render(ctx.options.title, {"ticket_id": body.ticket_id},
                                  f"integrations.{ctx.integration.name}.options.title")
    return Deal(
        title=title, amount=fields.price, pipeline=fields.pipeline_id, stage=fields.status_id,
        owner=UserRef(remote_id=fields.responsible_user_id) if fields.responsible_user_id
        else None,
        custom={c.field_id: custom_value(c) for c in fields.custom_fields_values},
        contact=contact)


async def handle(ctx: RunContext, event: Event) -> str:
    """Create the ticket's deal (once), link it to the ticket and add the note."""
    body = DealRequestBody.model_validate(event.payload)
    crm, helpdesk = ctx.role("crm"), ctx.role("helpdesk")
    problems = await check(ctx.integration, body)
    if problems:
        raise RequestRefused(problems)
    contact = await _client_contact(ctx, helpdesk, crm, body.ticket_id)
    deal_id = await ctx.create("deal", crm, "deal.create", _draft(ctx, body, contact))
    await ctx.links.link(LINK, {helpdesk.name: body.ticket_id, crm.name: deal_id})
    client = f" for contact {contact.ref(crm.name)}" if contact is not None else ""
    ctx.note(f"ticket {body.ticket_id} in {helpdesk.name}: deal {deal_id} created in "
             f"{crm.name}{client}")
    if body.comment:
        note = Interaction(content_text=body.comment, deal=Deal(refs={crm.name: deal_id}),
                           contact=contact)
        note_id = await ctx.create("note", crm, "interaction.create", note)
        ctx.note(f"note {note_id} added to deal {deal_id}")
    return "; ".join(ctx.notes)


RECIPE = Recipe(
    name="deal_request",
    description="A helpdesk rule's POST request creates a CRM deal once per ticket, with a note.",
    roles={
        "helpdesk": RoleSpec(requires=("request.posted",), optional=("ticket.get",),
                             description="whose rules send the requests"),
        "crm": RoleSpec(requires=("deal.create", "pipeline.list", "interaction.create"),
                        optional=("field.list", "user.list", "deal.find_created",
                                  "interaction.find_created", "contact.find_by_email",
                                  "contact.find_by_phone"),
                        description="where the deals are created"),
    },
    handle=handle,
    options=DealRequestOptions,
    request=RequestSpec(
        role="helpdesk", event=EVENT, model=DealRequestBody,
        key=lambda body: f"deal-request:{body.ticket_id}",
        entity_key=lambda body: f"ticket:{body.ticket_id}",
        check=check, example=example,
        description="a deal for a ticket (once per ticket), with a note"),
)
