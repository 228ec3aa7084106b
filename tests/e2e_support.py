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


WRITES = {"PUT", "POST", "PATCH"}


def sandbox_writes(stack, connector: str, needle: str) -> int:
    """How many writes a sandbox received whose path or query contains ``needle``, from
    its request log."""
    with stack.sandbox(connector) as sandbox:
        log = sandbox.get("/_sandbox/requests").raise_for_status().json()
    return len([r for r in log if r["method"] in WRITES
                and (needle in r["path"] or needle in (r.get("query") or ""))])


def settle(stack, integration: str, timeout: float = 60) -> None:
    """Wait until every event of the integration has run to an end."""
    def quiet() -> bool:
        return all(e["status"] in ("succeeded", "dead", "rejected")
                   for e in stack.events(integration))
    stack.wait_until(quiet, timeout, f"{integration}'s events to finish")


def summaries_with(stack, integration: str, *words: str) -> int:
    """How many finished events of ``integration`` have a summary with all of ``words``."""
    found = 0
    for event in stack.events(integration, status="succeeded"):
        summary = stack.event(event["id"])["result"]["summary"]
        found += all(word in summary for word in words)
    return found


def summary_with(stack, integration: str, *words: str, more_than: int = 0) -> None:
    """Wait for more than ``more_than`` finished events of ``integration`` whose summary
    has all of ``words``."""
    stack.wait_until(lambda: summaries_with(stack, integration, *words) > more_than, 60,
                     f"an event of {integration} saying {words}")
