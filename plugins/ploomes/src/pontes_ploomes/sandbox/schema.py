"""The resources the sandbox serves: their fields and navigation properties.

A navigation is either a list kept inside the row (``Phones``, ``OtherProperties``,
``CollaboratingUsers``), a row of another resource found by a foreign key (``Owner``
through ``OwnerId``), or the rows of another resource pointing back (a pipeline's
``Stages``). Navigations appear in answers only when ``$expand``-ed.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Navigation:
    """How a navigation property is found: ``inline``, ``single`` or ``many``."""

    kind: str
    target: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class Resource:
    """One collection: its path, the fields of its rows and its navigations."""

    path: str
    fields: tuple[str, ...]
    navigations: dict[str, Navigation] = field(default_factory=dict)
    writable: tuple[str, ...] = ()
    webhook_entity: int | None = None
    key_field: str = "Id"


def _inline() -> Navigation:
    return Navigation("inline")


CONTACTS = Resource(
    "Contacts",
    ("Id", "TypeId", "Name", "LegalName", "Register", "CNPJ", "CPF", "StatusId", "CompanyId",
     "OwnerId", "Email", "Website", "Note", "StreetAddress", "StreetAddressNumber",
     "StreetAddressLine2", "Neighborhood", "ZipCode", "CityId", "StateId", "CountryId",
     "LeadId", "CreatorId", "UpdaterId", "CreateDate", "LastUpdateDate"),
    {"Phones": _inline(), "OtherProperties": _inline(),
     "Company": Navigation("single", "Contacts", "CompanyId"),
     "Owner": Navigation("single", "Users", "OwnerId")},
    writable=("TypeId", "Name", "LegalName", "Register", "CNPJ", "CPF", "StatusId", "CompanyId",
              "OwnerId", "Email", "Website", "Note", "StreetAddress", "StreetAddressNumber",
              "StreetAddressLine2", "Neighborhood", "ZipCode", "CityId", "StateId", "CountryId",
              "Phones", "OtherProperties"),
    webhook_entity=1,
)

DEALS = Resource(
    "Deals",
    ("Id", "Title", "ContactId", "ContactName", "PersonId", "PersonName", "PipelineId",
     "StageId", "StatusId", "OwnerId", "Amount", "CurrencyId", "StartDate", "FinishDate",
     "LossReasonId", "LastStageId", "DealNumber", "LeadId", "CreatorId", "UpdaterId", "CreateDate",
     "LastUpdateDate"),
    {"CollaboratingUsers": _inline(), "OtherProperties": _inline(),
     "Contact": Navigation("single", "Contacts", "ContactId"),
     "Person": Navigation("single", "Contacts", "PersonId"),
     "Owner": Navigation("single", "Users", "OwnerId"),
     "Pipeline": Navigation("single", "Deals@Pipelines", "PipelineId"),
     "Stage": Navigation("single", "Deals@Stages", "StageId")},
    writable=("Title", "ContactId", "PersonId", "PipelineId", "StageId", "OwnerId", "Amount",
              "CurrencyId", "StartDate", "CollaboratingUsers", "OtherProperties"),
    webhook_entity=2,
)

INTERACTION_RECORDS = Resource(
    "InteractionRecords",
    ("Id", "ContactId", "DealId", "Date", "Content", "TypeId", "CreatorId", "UpdaterId",
     "CreateDate", "LastUpdateDate"),
    {"OtherProperties": _inline(),
     "Contact": Navigation("single", "Contacts", "ContactId"),
     "Deal": Navigation("single", "Deals", "DealId")},
    writable=("ContactId", "DealId", "Date", "Content", "TypeId", "OtherProperties"),
)

USERS = Resource(
    "Users",
    ("Id", "Name", "Email", "Phone", "ProfileId", "Integration", "Suspended", "AccountOwner",
     "UserKey", "CreateDate", "LastUpdateDate"),
    writable=("Name", "Email", "Phone", "ProfileId", "Integration"),
)

PIPELINES = Resource(
    "Deals@Pipelines", ("Id", "Name", "Ordination"),
    {"Stages": Navigation("many", "Deals@Stages", "PipelineId")},
)

STAGES = Resource(
    "Deals@Stages", ("Id", "Name", "PipelineId", "Ordination"),
    {"Pipeline": Navigation("single", "Deals@Pipelines", "PipelineId")},
)

LOSS_REASONS = Resource("Deals@LossReasons", ("Id", "Name", "PipelineId"))

WEBHOOKS = Resource(
    "Webhooks",
    ("Id", "EntityId", "ActionId", "CallbackUrl", "ValidationKey", "Active", "CreatorId",
     "CreateDate"),
    writable=("EntityId", "ActionId", "CallbackUrl", "ValidationKey", "Active"),
)

WEBHOOK_ACTIONS = Resource("Webhooks@Actions", ("Id", "Name"))

FIELDS = Resource("Fields", ("Id", "Key", "Name", "EntityId", "TypeId"), key_field="Key")

ACCOUNT = Resource("Account", ("Id", "Name", "CreateDate"))

RESOURCES = {r.path: r for r in (CONTACTS, DEALS, INTERACTION_RECORDS, USERS, PIPELINES,
                                 STAGES, LOSS_REASONS, WEBHOOKS, WEBHOOK_ACTIONS, FIELDS,
                                 ACCOUNT)}
"""Every resource the sandbox serves, by path."""

VALUE_COLUMNS = (
    "StringValue", "BigStringValue", "IntegerValue", "DecimalValue", "DateTimeValue",
    "BoolValue", "ObjectValueId", "UserValueId", "ContactValueId", "ProductValueId",
    "AttachmentValueId", "CurrencyValueId", "AttachmentItemValueId",
)
"""The value columns of a stored custom-field row."""

FIELD_PREFIX = {"Contacts": "contact_", "Deals": "deal_",
                "InteractionRecords": "interaction_record_"}
"""How the ``Key`` of a custom field of each resource begins."""

FIELD_OWNER_KEY = {"Contacts": "ContactId", "Deals": "DealId",
                   "InteractionRecords": "InteractionRecordId"}
"""The column of a custom-field row that points back to its record."""

WEBHOOK_ACTION_NAMES = {1: "Create", 2: "Update", 3: "Delete", 5: "Win", 6: "Lose", 7: "Reopen"}
"""The ``ActionId``s of webhooks and the words deliveries carry."""

ENTITY_NAMES = {1: "Contacts", 2: "Deals"}
"""The ``Entity`` word of deliveries for each webhook ``EntityId``."""
