"""The Bigin sandbox's state: one organisation's records, notes, users, field metadata,
watch channels and the record page's embedded tab."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

ORG_ID = "60012345678"
CURRENT_USER = {"id": "5436046000000210001", "full_name": "Sam Rep", "first_name": "Sam",
                "last_name": "Rep", "email": "sam@acme.example", "status": "active",
                "role": {"id": "5436046000000026005", "name": "CEO"},
                "profile": {"id": "5436046000000026011", "name": "Administrator"}}
SECOND_USER = {"id": "5436046000000210002", "full_name": "Rita Seller", "first_name": "Rita",
               "last_name": "Seller", "email": "rita@acme.example", "status": "active",
               "role": CURRENT_USER["role"], "profile": CURRENT_USER["profile"]}
PIPELINES = ("Sales Pipeline Standard", "Renewals")
STAGES = ("Qualification", "Needs Analysis", "Proposal/Price Quote", "Negotiation/Review",
          "Closed Won", "Closed Lost")


def now_text() -> str:
    """The time now as Bigin writes times (ISO 8601 with an offset, whole seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _field(field_id: int, api_name: str, label: str, data_type: str, *,
           mandatory: bool = False, choices: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"id": f"54360460000000{field_id:05d}", "api_name": api_name, "field_label": label,
            "data_type": data_type, "system_mandatory": mandatory, "custom_field": False,
            "read_only": False, "pick_list_values": [
                {"display_value": c, "actual_value": c, "id": f"5436046000001{field_id:03d}{n:03d}",
                 "sequence_number": n + 1} for n, c in enumerate(choices)]}


def field_metadata() -> dict[str, list[dict[str, Any]]]:
    """Each module's fields, as ``GET /settings/fields`` answers them."""
    return {
        "Contacts": [
            _field(1, "First_Name", "First Name", "text"),
            _field(2, "Last_Name", "Last Name", "text", mandatory=True),
            _field(3, "Email", "Email", "email"), _field(4, "Secondary_Email",
                                                         "Secondary Email", "email"),
            _field(5, "Phone", "Phone", "phone"), _field(6, "Mobile", "Mobile", "phone"),
            _field(7, "Title", "Title", "text"),
            _field(8, "Account_Name", "Company Name", "lookup"),
            _field(9, "Description", "Description", "textarea"),
            _field(10, "Owner", "Contact Owner", "ownerlookup"),
            {**_field(11, "Lead_Source", "Lead Source", "picklist",
                      choices=("Chat", "Web Form", "Referral")), "custom_field": True},
        ],
        "Accounts": [
            _field(20, "Account_Name", "Company Name", "text", mandatory=True),
            _field(21, "Phone", "Phone", "phone"), _field(22, "Website", "Website", "website"),
            _field(23, "Description", "Description", "textarea"),
            _field(24, "Owner", "Company Owner", "ownerlookup"),
        ],
        "Pipelines": [
            _field(30, "Deal_Name", "Deal Name", "text", mandatory=True),
            _field(31, "Sub_Pipeline", "Sub-Pipeline", "picklist", mandatory=True,
                   choices=PIPELINES),
            _field(32, "Stage", "Stage", "picklist", mandatory=True, choices=STAGES),
            _field(33, "Amount", "Amount", "currency"),
            _field(34, "Closing_Date", "Closing Date", "date"),
            _field(35, "Contact_Name", "Contact Name", "lookup"),
            _field(36, "Account_Name", "Company Name", "lookup"),
            _field(37, "Description", "Description", "textarea"),
            _field(38, "Owner", "Deal Owner", "ownerlookup"),
        ],
    }


class BiginState:
    """Records by module and id, notes, users, fields, channels and the page's tab."""

    def __init__(self) -> None:
        self._ids = itertools.count(5436046000000930001)
        self.records: dict[str, dict[str, dict[str, Any]]] = {
            "Contacts": {}, "Accounts": {}, "Pipelines": {}}
        self.notes: dict[str, dict[str, Any]] = {}
        self.users: list[dict[str, Any]] = [dict(CURRENT_USER), dict(SECOND_USER)]
        self.fields = field_metadata()
        self.channels: dict[str, dict[str, Any]] = {}
        self.tab_url: str | None = None

    def reset(self) -> None:
        """Back to an empty organisation with its two users."""
        self.__init__()

    def next_id(self) -> str:
        """A new record id, as long as Bigin's."""
        return str(next(self._ids))

    def user_lookup(self, user_id: str | None = None) -> dict[str, Any] | None:
        """A user as a lookup (``{"id", "name", "email"}``); the current user by default."""
        wanted = user_id or CURRENT_USER["id"]
        user = next((u for u in self.users if u["id"] == wanted), None)
        return None if user is None else {"id": user["id"], "name": user["full_name"],
                                          "email": user["email"]}

    def choices(self, module: str, api_name: str) -> list[str]:
        """The picklist values of a field."""
        field = next((f for f in self.fields[module] if f["api_name"] == api_name), {})
        return [v["actual_value"] for v in field.get("pick_list_values") or []]
