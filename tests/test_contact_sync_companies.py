"""``contact_sync`` of companies end to end, with a real pontes server and the vendors'
sandboxes: Zoho Desk accounts <-> Bigin companies (both post change notifications) and
Movidesk companies <-> Ploomes companies (Ploomes posts its Contacts webhooks, Movidesk's
persons are polled).

A company created or edited on one side reaches the other once, with the fields the
integration's company mappings add (the website for Bigin and Zoho Desk, the legal name
for Ploomes and Movidesk); the other side's notification of that write is read, agrees,
and writes nothing back, so there is no loop. ``one_way`` copies only CRM -> helpdesk.
Each pair and mode runs in a stack of its own, so no integration sees another's writes.
"""

from __future__ import annotations

import pytest
from contact_sync_support import (
    BIGIN_DESK_CONNECTIONS,
    BIGIN_DESK_SANDBOXES,
    bigin_api,
    desk_api,
    movidesk_clients,
    ploomes_clients,
)
from e2e_support import sandbox_writes, settle, summaries_with, summary_with
from pontes.testing.stack import Stack
from pontes_demo import steps
from pontes_demo.installation import FAST_RETRIES, SANDBOX_OPTIONS
from pontes_movidesk.sandbox import SANDBOX_TOKEN

pytestmark = pytest.mark.slow

NAME = "companies"
"""The integration's name in every stack."""
WEBSITE_BOTH_WAYS = {"company_to_helpdesk": {"website": "website"},
                     "company_to_crm": {"website": "website"}}
LEGAL_NAME_BOTH_WAYS = {"company_to_helpdesk": {"legal_name": "legal_name"},
                        "company_to_crm": {"legal_name": "legal_name"}}
PAIRS = {
    "zoho": {"connections": BIGIN_DESK_CONNECTIONS, "sandbox_options": BIGIN_DESK_SANDBOXES,
             "integration": {"crm": "bigin", "helpdesk": "desk", "mapping": WEBSITE_BOTH_WAYS}},
    "movidesk": {"connections": {"ploomes": ("ploomes", {}), "movidesk": ("movidesk", {
                     "poll_lookback_hours": 0, "poll_overlap_seconds": 2})},
                 "sandbox_options": SANDBOX_OPTIONS,
                 "integration": {"crm": "ploomes", "helpdesk": "movidesk",
                                 "mapping": LEGAL_NAME_BOTH_WAYS,
                                 "poll": True, "poll_interval": 1}},
}
PLOOMES_COMPANY = 1
"""Ploomes' ``TypeId`` of a company."""


@pytest.fixture(scope="module")
def stacks(tmp_path_factory):
    """``stacks(pair, mode)``: a running, activated stack of that pair and mode, started
    when a test first asks for it."""
    running: dict[tuple[str, str], Stack] = {}
    contexts = []

    def start(pair: str, mode: str) -> Stack:
        if (pair, mode) not in running:
            setup = PAIRS[pair]
            integration = {"recipe": "contact_sync", "options": {"mode": mode},
                           **setup["integration"]}
            context = Stack.running(tmp_path_factory.mktemp(f"{pair}-{mode}"),
                                    connections=setup["connections"],
                                    integrations={NAME: integration},
                                    sandbox_options=setup["sandbox_options"],
                                    server_env=FAST_RETRIES)
            stack = context.__enter__()
            contexts.append(context)
            steps.activate(stack, NAME)
            settle(stack, NAME, 120)
            running[pair, mode] = stack
        return running[pair, mode]

    yield start
    for context in reversed(contexts):
        context.__exit__(None, None, None)


# --- Bigin and Zoho Desk ----------------------------------------------------------------


def bigin_company(stack, **fields) -> str:
    [made] = bigin_api(stack, "POST", "/Accounts", json={"data": [fields]})["data"]
    return made["details"]["id"]


def bigin_companies(stack, name: str) -> list[dict]:
    with stack.sandbox("bigin") as sandbox:
        rows = sandbox.get("/_sandbox/records/Accounts").raise_for_status().json()
    return [r for r in rows if r.get("Account_Name") == name]


def desk_companies(stack, name: str) -> list[dict]:
    rows = desk_api(stack, "GET", "/accounts", params={"limit": 100}).get("data", [])
    return [r for r in rows if r.get("accountName") == name]


def test_zoho_two_way_copies_a_bigin_company_and_a_desk_edit_back_without_a_loop(stacks):
    stack = stacks("zoho", "two_way")
    bigin_before = sandbox_writes(stack, "bigin", "/Accounts")
    desk_before = sandbox_writes(stack, "zohodesk", "/accounts")
    bigin_id = bigin_company(stack, Account_Name="Acme Duas Vias",
                             Website="https://acme.example")
    stack.wait_until(lambda: desk_companies(stack, "Acme Duas Vias"), 60,
                     "the Bigin company to reach Zoho Desk")
    settle(stack, NAME)
    (account,) = desk_companies(stack, "Acme Duas Vias")
    assert account["website"] == "https://acme.example", "the mapped website came along"
    assert sandbox_writes(stack, "bigin", "/Accounts") == bigin_before + 1, \
        "only the company's creation"
    assert sandbox_writes(stack, "zohodesk", "/accounts") == desk_before + 1, \
        "one copy in Zoho Desk"

    echoes = summaries_with(stack, NAME, f"company {bigin_id} ", "already agrees")
    desk_api(stack, "PATCH", f"/accounts/{account['id']}",
             json={"website": "https://acme.example/novo"})
    stack.wait_until(lambda: bigin_companies(stack, "Acme Duas Vias")[0].get("Website")
                     == "https://acme.example/novo", 60, "the Desk edit to reach Bigin")
    # Bigin's notification of that write comes back, is read, and changes nothing.
    summary_with(stack, NAME, f"company {bigin_id} ", "already agrees", more_than=echoes)
    settle(stack, NAME)
    assert sandbox_writes(stack, "bigin", "/Accounts") == bigin_before + 2, \
        "one update in Bigin"
    assert sandbox_writes(stack, "zohodesk", "/accounts") == desk_before + 2, \
        "nothing written back"
    assert len(bigin_companies(stack, "Acme Duas Vias")) == 1
    assert len(desk_companies(stack, "Acme Duas Vias")) == 1


def test_zoho_one_way_copies_bigin_companies_but_never_desk_edits(stacks):
    stack = stacks("zoho", "one_way")
    bigin_before = sandbox_writes(stack, "bigin", "/Accounts")
    bigin_id = bigin_company(stack, Account_Name="Acme Mão Única",
                             Website="https://one.example")
    stack.wait_until(lambda: desk_companies(stack, "Acme Mão Única"), 60,
                     "the Bigin company to reach Zoho Desk")
    settle(stack, NAME)
    (account,) = desk_companies(stack, "Acme Mão Única")
    desk_api(stack, "PATCH", f"/accounts/{account['id']}",
             json={"website": "https://only-in-desk.example"})
    summary_with(stack, NAME, f"company {account['id']} ", "not copied")
    bigin_api(stack, "PUT", f"/Accounts/{bigin_id}",
              json={"data": [{"Phone": "+5511933334444"}]})
    stack.wait_until(lambda: desk_companies(stack, "Acme Mão Única")[0].get("phone")
                     == "+5511933334444", 60, "the Bigin edit to reach Zoho Desk")
    settle(stack, NAME)
    (company,) = bigin_companies(stack, "Acme Mão Única")
    assert company["Website"] == "https://one.example", "the Desk edit stayed in Zoho Desk"
    assert desk_companies(stack, "Acme Mão Única")[0]["website"] == \
        "https://only-in-desk.example"
    assert sandbox_writes(stack, "bigin", "/Accounts") == bigin_before + 2, \
        "only the test's own writes"


# --- Ploomes and Movidesk ---------------------------------------------------------------


def ploomes_company(stack, **fields) -> int:
    made = steps.ploomes_api(stack, "POST", "/Contacts",
                             json={"TypeId": PLOOMES_COMPANY, **fields})
    return made["value"][0]["Id"] if "value" in made else made["Id"]


def ploomes_companies(stack, name: str) -> list[dict]:
    return [c for c in ploomes_clients(stack, PLOOMES_COMPANY) if c["Name"] == name]


def movidesk_companies(stack, name: str) -> list[dict]:
    return [p for p in movidesk_clients(stack, 2) if p["businessName"] == name]


def movidesk_edit(stack, person_id: str, **fields) -> None:
    """An agent changes a Movidesk company."""
    with stack.sandbox("movidesk") as sandbox:
        sandbox.patch("/public/v1/persons", params={"token": SANDBOX_TOKEN, "id": person_id},
                      json=fields).raise_for_status()


def test_movidesk_two_way_copies_a_ploomes_company_and_an_edit_back_without_a_loop(stacks):
    stack = stacks("movidesk", "two_way")
    ploomes_id = ploomes_company(stack, Name="Padaria Duas Vias",
                                 LegalName="Padaria Duas Vias Ltda")
    stack.wait_until(lambda: movidesk_companies(stack, "Padaria Duas Vias"), 60,
                     "the Ploomes company to reach Movidesk")
    settle(stack, NAME)
    (company,) = movidesk_companies(stack, "Padaria Duas Vias")
    assert company["corporateName"] == "Padaria Duas Vias Ltda", "the mapped legal name"
    needle = f"Contacts({ploomes_id})"
    assert sandbox_writes(stack, "ploomes", needle) == 0, "nothing written back to Ploomes"

    echoes = summaries_with(stack, NAME, f"company {ploomes_id} ", "already agrees")
    movidesk_edit(stack, company["id"], corporateName="Padaria Duas Vias S.A.")
    edits = sandbox_writes(stack, "movidesk", f"id={company['id']}")
    stack.wait_until(lambda: ploomes_companies(stack, "Padaria Duas Vias")[0]["LegalName"]
                     == "Padaria Duas Vias S.A.", 60, "the Movidesk edit to reach Ploomes")
    # Ploomes' webhook of that write comes back, is read, and changes nothing.
    summary_with(stack, NAME, f"company {ploomes_id} ", "already agrees", more_than=echoes)
    settle(stack, NAME)
    assert sandbox_writes(stack, "ploomes", needle) == 1, "one update in Ploomes"
    assert sandbox_writes(stack, "movidesk", f"id={company['id']}") == edits, \
        "nothing written back to Movidesk"
    assert len(ploomes_companies(stack, "Padaria Duas Vias")) == 1
    assert len(movidesk_companies(stack, "Padaria Duas Vias")) == 1


def test_movidesk_one_way_copies_ploomes_companies_but_never_movidesk_edits(stacks):
    stack = stacks("movidesk", "one_way")
    ploomes_id = ploomes_company(stack, Name="Oficina Mão Única", LegalName="Oficina Ltda")
    stack.wait_until(lambda: movidesk_companies(stack, "Oficina Mão Única"), 60,
                     "the Ploomes company to reach Movidesk")
    settle(stack, NAME)
    (company,) = movidesk_companies(stack, "Oficina Mão Única")
    movidesk_edit(stack, company["id"], corporateName="Oficina Só no Movidesk Ltda")
    summary_with(stack, NAME, f"company {company['id']} ", "not copied")
    steps.ploomes_api(stack, "PATCH", f"/Contacts({ploomes_id})",
                      json={"Name": "Oficina Mão Única Nova"})
    stack.wait_until(lambda: movidesk_companies(stack, "Oficina Mão Única Nova"), 60,
                     "the Ploomes edit to reach Movidesk")
    settle(stack, NAME)
    (copied,) = movidesk_companies(stack, "Oficina Mão Única Nova")
    assert copied["corporateName"] == "Oficina Só no Movidesk Ltda"
    (original,) = ploomes_companies(stack, "Oficina Mão Única Nova")
    assert original["LegalName"] == "Oficina Ltda", "the Movidesk edit stayed in Movidesk"
    assert sandbox_writes(stack, "ploomes", f"Contacts({ploomes_id})") == 1, \
        "only the test's own edit"
