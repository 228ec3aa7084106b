"""The Tickets tab's "+ Ticket" asks what the helpdesk requires, and the tab refuses in
the user's language: a real pontes server, the Bigin and Zoho Desk sandboxes.

The Zoho Desk sandbox's administrator adds custom ticket fields (a mandatory picklist, a
mandatory text, a date with a default); the form must ask them as Zoho Desk declares
them, refuse a post without a mandatory one field by field (and Zoho Desk is not called),
and a full post must make exactly one ticket carrying every value. A browser fills the
same form in Chromium.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote

import httpx
import pytest
from panel_support import bigin_desk_tab, desk_api
from pontes.panels.tickets_tab.context import tab_address
from pontes.testing.browser import browser_missing
from pontes_zohodesk.sandbox.state import AGENT_ZUID

pytestmark = pytest.mark.slow

USER = "ana@crm.example"
CUSTOM_FIELDS = [
    {"apiName": "cf_plan", "displayLabel": "Plan", "type": "Picklist", "isMandatory": True,
     "allowedValues": ["Basic", "Pro"]},
    {"apiName": "cf_order_number", "displayLabel": "Order number", "type": "Text",
     "isMandatory": True},
    {"apiName": "cf_visit", "displayLabel": "Visit date", "type": "Date",
     "defaultValue": "2026-01-15"},
]


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with bigin_desk_tab(tmp_path_factory.mktemp("ticket-fields"),
                        {"agents": {USER: AGENT_ZUID}, "default_user": USER}) as running:
        with running.sandbox("zohodesk") as desk:
            desk.post("/_sandbox/ticket-fields",
                      json={"fields": CUSTOM_FIELDS}).raise_for_status()
        yield running


@pytest.fixture(scope="module")
def client_record(stack):
    """A Bigin contact and their Zoho Desk twin (same e-mail), with no tickets yet."""
    with stack.sandbox("bigin") as bigin:
        (contact,) = bigin.post("/_sandbox/records/Contacts", json=[{
            "Last_Name": "Fields", "First_Name": "Fay", "Email": "fay@client.example"}]
        ).raise_for_status().json()["ids"]
    with stack.sandbox("zohodesk") as sandbox:
        person = sandbox.post("/_sandbox/contacts", json={
            "firstName": "Fay", "lastName": "Fields", "email": "fay@client.example"}
        ).raise_for_status().json()
    return contact, person["id"]


def open_tab(stack, record: str, module: str = "Contacts", language: str = "en",
             ) -> httpx.Response:
    address = tab_address(stack.runtime.integrations["tickets"]).format(module=quote(module),
                                                                        id=record)
    return httpx.get(f"{stack.server_url}{address.removeprefix(_public(stack))}"
                     f"&language={language}", timeout=30.0)


def _public(stack) -> str:
    return stack.runtime.integrations["tickets"].public_url


def href(page: str, css_class: str) -> str:
    found = re.search(rf'class="{css_class}" href="([^"]+)"', page)
    assert found, f"no {css_class} link in the page"
    return html.unescape(found.group(1))


def action_of(page: str) -> str:
    found = re.search(r'<form class="ticket-form" method="post" action="([^"]+)"', page)
    assert found, "no ticket form in the page"
    return html.unescape(found.group(1))


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def form_page(stack, record: str, language: str = "en") -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=stack.server_url, timeout=30.0, follow_redirects=True)
    first = open_tab(stack, record, language=language)
    assert first.status_code == 200, first.text
    page = client.get(href(first.text, "button new-ticket"))
    assert page.status_code == 200, page.text
    return client, page.text


def tickets_of(stack, person: str) -> list[dict]:
    answer = desk_api(stack, "GET", f"/contacts/{person}/tickets")
    return answer.json()["data"] if answer.status_code == 200 else []


def field_html(page: str, name: str) -> str:
    """The ``<label>`` of the form's field ``name``."""
    found = re.search(rf'<label data-field="{name}">(.*?)</label>', page, re.S)
    assert found, f"the form does not ask {name}"
    return found.group(1)


def test_the_form_asks_the_fields_zoho_desk_declares(stack, client_record):
    contact, _ = client_record
    _, page = form_page(stack, contact)
    plan = field_html(page, "cf_plan")
    assert plan.startswith("Plan *") and '<select name="cf_plan" required' in plan
    assert re.findall(r'<option value="(\w+)"', plan) == ["Basic", "Pro"]
    order = field_html(page, "cf_order_number")
    assert order.startswith("Order number *") and 'name="cf_order_number" value="" required' \
        in order
    visit = field_html(page, "cf_visit")
    assert 'type="date"' in visit and 'value="2026-01-15"' in visit and "required" not in visit
    subject = field_html(page, "subject")
    assert subject.startswith("Subject *") and "required" in subject
    priority = field_html(page, "priority")
    assert re.findall(r'<option value="(\w+)"', priority) == ["High", "Medium", "Low"]
    assert "required" not in priority
    assert "<textarea" in field_html(page, "description")
    assert 'name="departmentId"' not in page and 'name="status"' not in page
    assert 'name="email" value="fay@client.example"' in page


def test_zoho_desk_refuses_a_ticket_without_a_mandatory_field(stack, client_record):
    _, person = client_record
    answer = desk_api(stack, "POST", "/tickets", json={
        "subject": "No plan", "departmentId": "900000000000007057", "contactId": person,
        "cf": {"cf_order_number": "A-1"}})
    assert answer.status_code == 422
    assert answer.json()["errors"] == [{"fieldName": "/cf/cf_plan",
                                        "errorMessage": "Plan is mandatory"}]
    assert not [t for t in tickets_of(stack, person) if t["subject"] == "No plan"]


def test_a_missing_required_field_is_named_and_nothing_is_created(stack, client_record):
    contact, person = client_record
    client, page = form_page(stack, contact)
    before = len(tickets_of(stack, person))
    refused = client.post(action_of(page), data={
        "csrf_token": csrf(page), "email": "fay@client.example", "subject": "Half a form",
        "cf_plan": "", "cf_order_number": " ", "cf_visit": "2026-01-15"})
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "Plan is required." in text and "Order number is required." in text
    assert "Subject is required." not in text
    assert 'value="Half a form"' in refused.text
    assert len(tickets_of(stack, person)) == before


def test_a_value_outside_the_choices_is_refused(stack, client_record):
    contact, person = client_record
    client, page = form_page(stack, contact)
    refused = client.post(action_of(page), data={
        "csrf_token": csrf(page), "email": "fay@client.example", "subject": "Odd plan",
        "cf_plan": "Gold", "cf_order_number": "A-2"})
    assert refused.status_code == 422
    assert "Plan: choose one of the values listed." in html.unescape(refused.text)
    assert not [t for t in tickets_of(stack, person) if t["subject"] == "Odd plan"]


def test_the_refusal_speaks_the_tabs_language(stack, client_record):
    contact, _ = client_record
    client, page = form_page(stack, contact, language="es")
    assert "Los campos marcados con * son obligatorios en Zoho Desk." in page
    refused = client.post(action_of(page), data={
        "csrf_token": csrf(page), "email": "fay@client.example", "subject": "",
        "cf_plan": "Pro", "cf_order_number": "A-3"})
    assert refused.status_code == 422
    text = html.unescape(refused.text)
    assert "Asunto es obligatorio." in text and '<html lang="es">' in text


def test_a_full_form_creates_one_ticket_with_the_values(stack, client_record):
    contact, person = client_record
    client, page = form_page(stack, contact)
    created = client.post(action_of(page), data={
        "csrf_token": csrf(page), "email": "fay@client.example", "name": "Fay Fields",
        "subject": "Printer on fire", "priority": "High", "category": "Hardware",
        "description": "Smoke from tray 2.", "cf_plan": "Pro", "cf_order_number": "A-17",
        "cf_visit": "2026-02-03"})
    assert created.status_code == 200, created.text
    assert "The ticket was created." in created.text
    made = [t for t in tickets_of(stack, person) if t["subject"] == "Printer on fire"]
    assert len(made) == 1
    ticket = desk_api(stack, "GET", f"/tickets/{made[0]['id']}").json()
    assert ticket["priority"] == "High" and ticket["category"] == "Hardware"
    assert ticket["cf"] == {"cf_plan": "Pro", "cf_order_number": "A-17",
                            "cf_visit": "2026-02-03"}
    assert "Smoke from tray 2." in ticket["description"]
    assert ticket["contactId"] == person


REFUSALS = {
    "en": "The tab shows contacts, companies and deals, not 'Tasks'.",
    "es": "La pestaña muestra contactos, empresas y negocios, no 'Tasks'.",
    "pt": "A aba mostra contatos, empresas e negócios, não 'Tasks'.",
    "ru": "Вкладка показывает контакты, компании и сделки, а не 'Tasks'.",
}


@pytest.mark.parametrize("language", sorted(REFUSALS))
def test_a_refused_address_is_explained_in_each_language(stack, client_record, language):
    contact, _ = client_record
    answer = open_tab(stack, contact, module="Tasks", language=language)
    assert answer.status_code == 400
    assert REFUSALS[language] in html.unescape(answer.text)


def test_a_percent_sign_in_the_address_is_shown_as_typed(stack, client_record):
    contact, _ = client_record
    answer = open_tab(stack, contact, module="100%d", language="es")
    assert answer.status_code == 400
    assert "no '100%d'." in html.unescape(answer.text)


NOT_THIS_RECORDS = {
    "en": "Ticket 404404 is not one of this record's tickets.",
    "es": "El ticket 404404 no es uno de los tickets de este registro.",
    "pt": "O ticket 404404 não é um dos tickets deste registro.",
    "ru": "Тикет 404404 не относится к тикетам этой записи.",
}


@pytest.mark.parametrize("language", sorted(NOT_THIS_RECORDS))
def test_a_ticket_of_another_record_is_refused_in_each_language(stack, client_record,
                                                                language):
    contact, _ = client_record
    first = open_tab(stack, contact, language=language)
    listing = href(first.text, "button secondary")
    other = listing.replace("/tickets?", "/tickets/404404?")
    answer = httpx.get(f"{stack.server_url}{other}", timeout=30.0)
    assert answer.status_code == 403
    assert NOT_THIS_RECORDS[language] in html.unescape(answer.text)


@pytest.mark.browser
@pytest.mark.anyio
async def test_a_person_fills_the_generated_form_in_chromium(stack, client_record,
                                                              browser_page):
    expect = pytest.importorskip("playwright.async_api", reason=browser_missing()).expect
    contact, person = client_record
    address = tab_address(stack.runtime.integrations["tickets"]).format(module="Contacts",
                                                                        id=contact)
    await browser_page.goto(f"{stack.server_url}{address.removeprefix(_public(stack))}")
    await browser_page.locator("a.new-ticket").click()
    await expect(browser_page.locator("input[name=email]")).to_have_value("fay@client.example")
    await expect(browser_page.locator("input[name=cf_visit]")).to_have_value("2026-01-15")
    await browser_page.locator("input[name=subject]").fill("Filled in Chromium")
    await browser_page.locator("select[name=cf_plan]").select_option("Basic")
    await browser_page.locator("button.send").click()
    order = browser_page.locator("input[name=cf_order_number]")
    assert await order.evaluate("input => !input.validity.valid")
    assert not [t for t in tickets_of(stack, person) if t["subject"] == "Filled in Chromium"]
    await order.fill("B-9")
    await browser_page.locator("select[name=priority]").select_option("Low")
    await browser_page.locator("button.send").click()
    await expect(browser_page.locator(".notice")).to_have_text("The ticket was created.")
    (made,) = [t for t in tickets_of(stack, person) if t["subject"] == "Filled in Chromium"]
    ticket = desk_api(stack, "GET", f"/tickets/{made['id']}").json()
    assert ticket["priority"] == "Low"
    assert ticket["cf"] == {"cf_plan": "Basic", "cf_order_number": "B-9",
                            "cf_visit": "2026-01-15"}
