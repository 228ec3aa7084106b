"""Helpers of the end-to-end tests: seeding sandboxes and reading what changed."""

from __future__ import annotations

from pontes_demo import steps


def seed_movidesk(stack, persons=(), tickets=()) -> None:
    """Add people and tickets to the Movidesk sandbox as if they had always been there."""
    with stack.sandbox("movidesk") as movidesk:
        movidesk.post("/_sandbox/seed", json={"persons": list(persons),
                                             "tickets": list(tickets)}).raise_for_status()


def ploomes_insert(stack, resource: str, rows: list[dict]) -> list[int]:
    """Add rows to a Ploomes sandbox resource (no webhooks); returns their ids."""
    with stack.sandbox("ploomes") as ploomes:
        return ploomes.post(f"/_sandbox/ploomes/records/{resource}",
                            json=rows).raise_for_status().json()["ids"]


def new_rows(stack, resource: str, before: list[dict]) -> list[dict]:
    """The rows of ``resource`` that were not in ``before``."""
    known = {row["Id"] for row in before}
    return [row for row in steps.ploomes_records(stack, resource) if row["Id"] not in known]


def movidesk_person(person_id: str, name: str, email: str | None = None, *,
                    company: str | None = None, person_type: int = 1) -> dict:
    """A Movidesk person (type 1) or company (type 2) in the API's own shape."""
    person = {"id": person_id, "personType": person_type, "profileType": 2,
              "businessName": name}
    if email:
        person["emails"] = [{"emailType": "Profissional", "email": email, "isDefault": True}]
    if company:
        person["relationships"] = [{"id": company}]
    return person


def movidesk_ticket(ticket_id: int, client: str, subject: str, **fields) -> dict:
    """A Movidesk ticket of ``client``, open, in the API's own shape."""
    return {"id": ticket_id, "type": 2, "subject": subject, "category": "Problema",
            "urgency": "Alta", "status": "Em atendimento", "ownerTeam": "Suporte",
            "owner": {"id": "agent-ana"}, "createdBy": {"id": client},
            "clients": [{"id": client}], **fields}
