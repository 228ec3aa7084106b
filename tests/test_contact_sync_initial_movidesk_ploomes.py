"""``contact_sync``'s initial sync between Ploomes (CRM) and Movidesk (helpdesk), end to
end: ``pontes activate`` of a two-way integration lists both sides' people and companies
(``contact.list``, ``company.list``) and a real pontes server runs what it queued.

People and companies that were in either system before the integration started reach
the other one once: a pair both have is linked (people by e-mail, then phone; companies
by name) instead of copied, and a second activation queues and writes nothing.
"""

from __future__ import annotations

from collections import Counter

import pytest
from contact_sync_support import movidesk_clients, ploomes_clients, pontes
from e2e_support import ploomes_insert, sandbox_writes, seed_movidesk, settle
from pontes.testing.stack import Stack
from pontes_demo.installation import FAST_RETRIES, SANDBOX_OPTIONS

pytestmark = pytest.mark.slow

PERSON, COMPANY = 2, 1
"""Ploomes' ``TypeId`` of a person and of a company."""
SYNC = {"recipe": "contact_sync", "crm": "ploomes", "helpdesk": "movidesk",
        "options": {"mode": "two_way"},
        "mapping": {"contact_to_helpdesk": {"name": "name"}, "contact_to_crm": {"name": "name"}}}
CONNECTIONS = {"ploomes": ("ploomes", {}), "movidesk": ("movidesk", {})}
PHONE = "+5511988880001"
"""Caio's phone, typed differently on each side."""


@pytest.fixture
def stack(tmp_path):
    with Stack.running(tmp_path, connections=CONNECTIONS, integrations={"sync": SYNC},
                       sandbox_options=SANDBOX_OPTIONS, server_env=FAST_RETRIES) as running:
        yield running


def seed(stack) -> None:
    """Before the integration: Ana and a company only in Ploomes, Duda and a company only
    in Movidesk; Bia (same e-mail), Caio (same phone, no e-mail) and a company (same
    name) in both."""
    ploomes_insert(stack, "Contacts", [
        {"TypeId": PERSON, "Name": "Ana Ploomes", "Email": "ana@init.example"},
        {"TypeId": PERSON, "Name": "Bia Ambos", "Email": "bia@init.example"},
        {"TypeId": PERSON, "Name": "Caio Fone",
         "Phones": [{"PhoneNumber": "(11) 98888-0001", "TypeId": 1, "CountryId": 76}]},
        {"TypeId": COMPANY, "Name": "Empresa Ploomes"},
        {"TypeId": COMPANY, "Name": "Empresa Comum"},
    ])
    seed_movidesk(stack, persons=[
        {"id": "cli-duda", "personType": 1, "profileType": 2, "businessName": "Duda Movidesk",
         "emails": [{"emailType": "Profissional", "email": "duda@init.example",
                     "isDefault": True}]},
        {"id": "cli-bia", "personType": 1, "profileType": 2, "businessName": "Bia Ambos",
         "emails": [{"emailType": "Profissional", "email": "bia@init.example",
                     "isDefault": True}]},
        {"id": "cli-caio", "personType": 1, "profileType": 2, "businessName": "Caio Fone",
         "contacts": [{"contactType": "Telefone celular", "contact": "+55 11 98888-0001",
                       "isDefault": True}]},
        {"id": "org-movidesk", "personType": 2, "profileType": 2,
         "businessName": "Empresa Movidesk"},
        {"id": "org-comum", "personType": 2, "profileType": 2, "businessName": "Empresa Comum"},
    ])


def movidesk_people(stack) -> Counter:
    return Counter(p["businessName"] for p in movidesk_clients(stack, 1))


def ploomes_people(stack) -> Counter:
    return Counter(c["Name"] for c in ploomes_clients(stack, PERSON))


def movidesk_companies(stack) -> Counter:
    return Counter(p["businessName"] for p in movidesk_clients(stack, 2))


def ploomes_companies(stack) -> Counter:
    return Counter(c["Name"] for c in ploomes_clients(stack, COMPANY))


SEEDED_PEOPLE = {"Ana Ploomes", "Bia Ambos", "Caio Fone", "Duda Movidesk"}
SEEDED_COMPANIES = {"Empresa Ploomes", "Empresa Comum", "Empresa Movidesk"}


def everyone_arrived(stack) -> bool:
    people = (movidesk_people, ploomes_people)
    companies = (movidesk_companies, ploomes_companies)
    return all(set(read(stack)) >= SEEDED_PEOPLE for read in people) \
        and all(set(read(stack)) >= SEEDED_COMPANIES for read in companies)


def test_activation_links_or_copies_everyone_once_and_a_second_one_does_nothing(stack):
    seed(stack)
    done = pontes(stack, "activate", "sync")
    assert done.returncode == 0, done.stderr
    assert "initial sync" in done.stdout
    stack.wait_until(lambda: everyone_arrived(stack), 120, "everyone on both sides")
    settle(stack, "sync", 120)

    for counted in (movidesk_people, ploomes_people, movidesk_companies, ploomes_companies):
        twice = [name for name, count in counted(stack).items() if count > 1]
        assert twice == [], f"{counted.__name__}: {twice} more than once"
    (ana,) = [p for p in movidesk_clients(stack, 1) if p["businessName"] == "Ana Ploomes"]
    assert [e["email"] for e in ana["emails"]] == ["ana@init.example"]
    (duda,) = [c for c in ploomes_clients(stack, PERSON) if c["Name"] == "Duda Movidesk"]
    assert duda["Email"] == "duda@init.example"
    assert {p["id"] for p in movidesk_clients(stack, 1)
            if p["businessName"] in ("Bia Ambos", "Caio Fone")} == {"cli-bia", "cli-caio"}, \
        "Bia (by e-mail) and Caio (by phone) were linked, not copied"
    caio = next(c["Id"] for c in ploomes_clients(stack, PERSON) if c["Name"] == "Caio Fone")
    (link,) = stack.admin("GET", "/links", params={"kind": "contact", "connection": "movidesk",
                                                    "remote_id": "cli-caio"})
    assert link["refs"] == {"movidesk": "cli-caio", "ploomes": str(caio)}

    writes = {vendor: sandbox_writes(stack, vendor, "") for vendor in ("movidesk", "ploomes")}
    again = pontes(stack, "activate", "sync")
    assert again.returncode == 0, again.stderr
    assert "0 records queued" in again.stdout
    settle(stack, "sync", 120)
    assert {vendor: sandbox_writes(stack, vendor, "") for vendor in writes} == writes
