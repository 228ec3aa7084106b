"""Seed 004's Tickets tab in Chromium, from the Bigin sandbox's record page: a person
creates a ticket, replies, replies to all, forwards and changes the status in the tab's
frame, and each step is checked in the Zoho Desk sandbox.

With ``PONTES_PANEL_SCREENSHOTS`` set to a directory, a screenshot of the record page with
the tab is saved there (``docs/panels/tab-ticket.png``); otherwise in the test's
temporary directory.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from panel_support import bigin_desk_tab, desk_api
from pontes.panels.tickets_tab.context import tab_address
from pontes.testing.browser import browser_missing
from pontes_bigin.sandbox.state import ORG_ID
from pontes_zohodesk.sandbox.state import AGENT_ZUID

expect = pytest.importorskip("playwright.async_api", reason=browser_missing()).expect

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.anyio]

USER = "ana@crm.example"


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with bigin_desk_tab(tmp_path_factory.mktemp("tab-browser"),
                        {"agents": {USER: AGENT_ZUID}, "default_user": USER}) as running:
        with running.sandbox("bigin") as bigin:
            bigin.put("/_sandbox/tab", json={"url": tab_address(
                running.runtime.integrations["tickets"])}).raise_for_status()
        yield running


def desk(stack, path: str) -> dict:
    return desk_api(stack, "GET", path).raise_for_status().json()


async def test_a_ticket_is_created_answered_forwarded_and_moved_from_the_record_page(
        stack, browser_page, tmp_path):
    with stack.sandbox("bigin") as bigin:
        (contact,) = bigin.post("/_sandbox/records/Contacts", json=[{
            "Last_Name": "Browser", "Email": "browser@client.example"}]
        ).raise_for_status().json()["ids"]
    with stack.sandbox("zohodesk") as sandbox:
        person = sandbox.post("/_sandbox/contacts", json={
            "lastName": "Browser", "email": "browser@client.example"}).raise_for_status().json()

    await browser_page.goto(f"{stack.sandbox_urls['bigin']}/bigin/org{ORG_ID}/contacts/{contact}")
    frame = browser_page.frame_locator("#tickets-frame")
    await expect(frame.locator(".empty")).to_be_visible()

    await frame.locator("a.new-ticket").click()
    await expect(frame.locator("input[name=email]")).to_have_value("browser@client.example")
    await frame.locator("input[name=subject]").fill("Opened from Bigin")
    await frame.locator("textarea[name=description]").fill("The app crashes on start.")
    await frame.locator("button.send").click()
    await expect(frame.locator(".notice")).to_have_text("The ticket was created.")
    tickets = desk(stack, f"/contacts/{person['id']}/tickets")["data"]
    (ticket,) = [t for t in tickets if t["subject"] == "Opened from Bigin"]

    def threads() -> list[dict]:
        return desk(stack, f"/tickets/{ticket['id']}/threads")["data"]

    before = len(threads())
    await frame.locator(".reply-form textarea").fill("We are on it.")
    await frame.locator("button.reply").click()
    await expect(frame.locator(".notice")).to_have_text("The reply was sent to the sender.")
    assert len(threads()) == before + 1

    await frame.locator(".reply-form textarea").fill("Copying everyone.")
    await frame.locator("button.reply-all").click()
    await expect(frame.locator(".notice")).to_have_text(
        "The reply was sent to everyone on the ticket.")
    assert len(threads()) == before + 2

    await frame.locator(".forward-form input[name=to]").fill("dev@acme.example")
    await frame.locator("button.forward").click()
    await expect(frame.locator(".notice")).to_have_text("The ticket was forwarded.")
    assert any("dev@acme.example" in str(t.get("to")) for t in threads())

    await frame.locator(".status-form select").select_option("on_hold")
    await frame.locator(".status-form button").click()
    await expect(frame.locator(".notice")).to_have_text("The status was changed.")
    assert desk(stack, f"/tickets/{ticket['id']}")["status"] == "On Hold"
    await expect(frame.locator(".ticket-status")).to_have_text("On Hold")
    await expect(frame.locator(".thread-text").first).to_have_text("The app crashes on start.")
    folder = Path(os.environ.get("PONTES_PANEL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    await browser_page.set_viewport_size({"width": 900, "height": 1100})
    await browser_page.locator("#tickets-frame").scroll_into_view_if_needed()
    await browser_page.screenshot(path=str(folder / "tab-ticket.png"), full_page=True)
    assert (folder / "tab-ticket.png").stat().st_size > 0
