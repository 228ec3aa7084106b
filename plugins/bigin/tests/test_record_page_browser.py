"""The sandbox's record page in Chromium, as a Bigin user opens a contact, a company or a
deal: its fields, its notes, and the Tickets tab's iframe loading the address set for the
sandbox with the record filled in (what a Tickets tab served by pontes will receive)."""

from __future__ import annotations

import httpx
import pytest
from pontes.testing import serve_app
from pontes.testing.browser import browser_missing
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from pontes_bigin.sandbox import build_app
from pontes_bigin.sandbox.state import ORG_ID

expect = pytest.importorskip("playwright.async_api", reason=browser_missing()).expect

pytestmark = [pytest.mark.browser, pytest.mark.anyio]


@pytest.fixture
def anyio_backend():
    return "asyncio"


def tab_app() -> Starlette:
    """A stand-in for the embedded tab: shows what it was opened with."""

    async def tab(request: Request) -> HTMLResponse:
        params = request.query_params
        return HTMLResponse(f"<p id=opened>{params['module']} {params['id']} "
                            f"{params['email']}</p>")

    return Starlette(routes=[Route("/tab", tab)])


@pytest.fixture
def served():
    with serve_app(build_app()) as bigin, serve_app(tab_app()) as tab:
        yield bigin, tab


async def test_a_contacts_page_shows_its_fields_notes_and_the_tickets_tab(served,
                                                                            browser_page):
    bigin, tab = served
    [account] = httpx.post(f"{bigin}/_sandbox/records/Accounts",
                           json=[{"Account_Name": "Acme"}]).json()["ids"]
    [contact] = httpx.post(f"{bigin}/_sandbox/records/Contacts", json=[{
        "Full_Name": "Ana Souza", "Last_Name": "Souza", "Email": "ana@acme.example",
        "Account_Name": {"id": account, "name": "Acme"}}]).json()["ids"]
    httpx.put(f"{bigin}/_sandbox/tab",
              json={"url": f"{tab}/tab?module={{module}}&id={{id}}&email={{email}}"})

    await browser_page.goto(f"{bigin}/bigin/org{ORG_ID}/contacts/{contact}")

    await expect(browser_page.locator("#record-title")).to_have_text("Ana Souza")
    await expect(browser_page.locator("td[data-field=Account_Name]")).to_have_text("Acme")
    frame = browser_page.frame_locator("#tickets-frame")
    await expect(frame.locator("#opened")).to_have_text(f"Contacts {contact} ana@acme.example")


async def test_a_deal_without_a_tab_set_says_so(served, browser_page):
    bigin, _ = served
    [deal] = httpx.post(f"{bigin}/_sandbox/records/Pipelines", json=[{
        "Deal_Name": "Renewal", "Stage": "Qualification",
        "Sub_Pipeline": "Renewals"}]).json()["ids"]
    await browser_page.goto(f"{bigin}/bigin/org{ORG_ID}/pipelines/{deal}")
    await expect(browser_page.locator("#record-title")).to_have_text("Renewal")
    await expect(browser_page.locator("#tickets-empty")).to_be_visible()
    assert await browser_page.locator("#tickets-frame").count() == 0


def test_an_unknown_record_is_a_404(served):
    bigin, _ = served
    assert httpx.get(f"{bigin}/bigin/org{ORG_ID}/companies/123").status_code == 404
