"""The shape of Movidesk tickets and persons: property names, which ones come only
through ``$expand``, and blank records with every property present."""

from __future__ import annotations

from typing import Any

TICKET_SCALARS = (
    "id", "protocol", "type", "subject", "category", "urgency", "status", "baseStatus",
    "justification", "origin", "createdDate", "originEmailAccount", "ownerTeam",
    "serviceFull", "serviceFirstLevelId", "serviceFirstLevel", "serviceSecondLevel",
    "serviceThirdLevel", "contactForm", "tags", "cc", "resolvedIn", "reopenedIn", "closedIn",
    "canceledIn", "actionCount", "lifeTimeWorkingTime", "stoppedTime",
    "stoppedTimeWorkingTime", "resolvedInFirstCall", "chatWidget", "chatGroup",
    "chatTalkTime", "chatWaitingTime", "sequence", "slaAgreement", "slaAgreementRule",
    "slaSolutionTime", "slaResponseTime", "slaSolutionChangedByUser", "slaSolutionDate",
    "slaSolutionDateIsPaused", "slaResponseDate", "slaRealResponseDate", "jiraIssueKey",
    "redmineIssueId", "lastActionDate", "lastUpdate",
)
TICKET_RELATIONS = (
    "owner", "createdBy", "slaSolutionChangedBy", "clients", "actions", "parentTickets",
    "childrenTickets", "ownerHistories", "statusHistories", "customFieldValues", "assets",
    "satisfactionSurveyResponses",
)
"""Ticket properties returned by a list call only when named in ``$expand``."""

TICKET_PROPERTIES = TICKET_SCALARS + TICKET_RELATIONS
TICKET_LISTS = ("tags", "serviceFull", "clients", "actions", "parentTickets",
                "childrenTickets", "ownerHistories", "statusHistories", "customFieldValues",
                "assets", "satisfactionSurveyResponses")

PERSON_SCALARS = (
    "id", "codeReferenceAdditional", "isActive", "personType", "profileType",
    "accessProfile", "corporateName", "businessName", "businessBranch", "cpfCnpj",
    "userName", "role", "bossId", "bossName", "classification", "cultureId", "timeZoneId",
    "authenticateOn", "createdDate", "createdBy", "changedDate", "changedBy", "observations",
    "teams",
)
PERSON_LISTS = ("addresses", "contacts", "emails", "relationships", "customFieldValues",
                "atAssets")
PERSON_PROPERTIES = PERSON_SCALARS + PERSON_LISTS
PERSON_WRITE_ONLY = ("password",)

def blank_ticket() -> dict[str, Any]:
    """A ticket with every property present and empty."""
    ticket: dict[str, Any] = {name: None for name in TICKET_PROPERTIES}
    for name in TICKET_LISTS:
        ticket[name] = []
    return ticket


def blank_person() -> dict[str, Any]:
    """A person with every property present and empty."""
    person: dict[str, Any] = {name: None for name in PERSON_PROPERTIES}
    person["teams"] = []
    for name in PERSON_LISTS:
        person[name] = []
    return person


def embedded(person: dict[str, Any], organization: dict[str, Any] | None = None) -> dict[str, Any]:
    """A person as tickets embed it (``clients[]``, ``owner``, ``createdBy``)."""
    emails = sorted(person.get("emails") or [], key=lambda e: not e.get("isDefault"))
    phones = sorted(person.get("contacts") or [], key=lambda c: not c.get("isDefault"))
    return {
        "id": person["id"],
        "personType": person.get("personType"),
        "profileType": person.get("profileType"),
        "businessName": person.get("businessName"),
        "email": emails[0]["email"] if emails else None,
        "phone": phones[0]["contact"] if phones else None,
        "isDeleted": False,
        "organization": embedded(organization) if organization else None,
    }


def action_as_read(action: dict[str, Any]) -> dict[str, Any]:
    """An action as ticket reads return it: ``htmlDescription`` null.

    Movidesk fills ``htmlDescription`` "only in some cases" and points to
    ``/tickets/htmldescription`` for the HTML; the sandbox keeps the HTML for that
    endpoint and never sends it in a ticket.
    """
    return {**action, "htmlDescription": None}


def pascal_case(value: Any) -> Any:
    """``value`` with every key's first letter upper-cased (``lastUpdate`` -> ``LastUpdate``)."""
    if isinstance(value, dict):
        return {k[:1].upper() + k[1:]: pascal_case(v) for k, v in value.items()}
    if isinstance(value, list):
        return [pascal_case(v) for v in value]
    return value
