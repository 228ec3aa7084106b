"""``contact_sync``: people and companies kept the same in a helpdesk and a CRM.

Seed 004 (Bigin and Zoho Desk): ``mode`` is ``two_way``, ``one_way`` (CRM -> helpdesk)
or ``none`` (only linked, so a person's tickets show in the CRM). Each direction has its
own mapping slot per entity (``contact_to_helpdesk``, ``contact_to_crm``,
``company_to_helpdesk``, ``company_to_crm``). Changes arrive as ``contact.changed`` and
``company.changed`` events, by webhook or by polling; ``sync`` explains why a copy never
comes back as a loop and how conflicts are settled.
"""

from __future__ import annotations

from ...models import Company, Contact
from ..base import MappingSlot, Recipe, RoleSpec
from .activation import activate
from .catch_up import catch_up
from .handle import handle
from .initial import initial_sync
from .options import ContactSyncOptions

TRIGGERS = ("contact.changed", "company.changed")
OPTIONAL = ("contact.list", "company.list", "contact.find_by_phone", "contact.create", "contact.update", "contact.find_created",
            "company.get", "company.find_by_email", "company.find_by_name",
            "company.find_by_phone", "company.create", "company.update",
            "company.find_created", "field.list", "webhook.register", "webhook.list")


def _role(description: str) -> RoleSpec:
    return RoleSpec(requires=("contact.get", "contact.find_by_email"), triggers=TRIGGERS,
                    optional=OPTIONAL, description=description)


RECIPE = Recipe(
    name="contact_sync",
    description="People and companies kept the same in a helpdesk and a CRM, without loops.",
    roles={"crm": _role("where clients are sold to"),
           "helpdesk": _role("where clients are supported")},
    handle=handle,
    options=ContactSyncOptions,
    mappings={
        "contact_to_helpdesk": MappingSlot(Contact, Contact, "CRM person -> helpdesk person"),
        "contact_to_crm": MappingSlot(Contact, Contact, "helpdesk person -> CRM person"),
        "company_to_helpdesk": MappingSlot(Company, Company,
                                           "CRM company -> helpdesk company"),
        "company_to_crm": MappingSlot(Company, Company, "helpdesk company -> CRM company"),
    },
    activate=activate,
    catch_up=catch_up,
    initial_sync=initial_sync,
)
