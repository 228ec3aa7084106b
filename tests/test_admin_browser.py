"""The admin pages in Chromium, as an operator uses them, against the demo's sandboxes
and a real server process: sign in with a wrong and a right token; filter the events;
open a dead event, fix its cause in the sandbox, replay it and watch it succeed; edit a
mapping (a wrong field names the error and the allowed fields, a right one shows the
preview, and the next event uses the saved mapping); sign out.

With ``PONTES_ADMIN_SCREENSHOTS`` set to a directory, a screenshot of each page is saved
there (``docs/admin/`` holds the ones ``docs/admin.md`` shows).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pontes.testing.browser import browser_missing
from pontes_demo import steps
from pontes_demo.installation import demo_stack

if TYPE_CHECKING:
    from playwright.async_api import Page

expect = pytest.importorskip("playwright.async_api", reason=browser_missing()).expect

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.anyio]

CANAL_FIELD = "deal_0B7E8C1F-0000-4000-8000-000000000003"
"""A custom field of the Ploomes sandbox's deals."""
DEALS_REFUSED = "the Deals API is switched off for this account"
INTEGRATION = "chats"
INTEGRATIONS = {
    INTEGRATION: {"recipe": "chat_to_crm", "chat": "jivo", "crm": "ploomes",
                  "max_attempts": 2,
                  "options": {"behaviour": "person_deal", "pipeline": "Funil de Vendas",
                              "stage": "Qualificação", "avoid_duplicate_deals": False}},
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with demo_stack(tmp_path_factory.mktemp("admin-pages"), INTEGRATIONS) as running:
        yield running


UNLABELLED = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button'))
  .filter(el => el.tagName === 'BUTTON' ? !el.textContent.trim()
                : !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.outerHTML)"""
"""The page's form controls that a screen reader could not name."""


async def shoot(page: Page, name: str) -> None:
    """Check that every control of the page has a name, and save a screenshot of the page
    when screenshots were asked for."""
    assert await page.evaluate(UNLABELLED) == [], name
    folder = os.environ.get("PONTES_ADMIN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        await page.set_viewport_size({"width": 1280, "height": 800})
        await page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def send_chat(stack, chat_id: int) -> None:
    """Jivo sends a finished chat (the sample "ana-first", with this test's ids)."""
    outcome = steps.jivo_send(stack, INTEGRATION, "chat_finished", sample="ana-first",
                              overrides={"chat_id": chat_id,
                                         "visitor": {"number": str(chat_id),
                                                     "email": f"visitor{chat_id}@example.com"}})
    assert outcome["ok"], outcome


def finished_events(stack) -> list[dict]:
    return [e for e in stack.events(INTEGRATION) if e["status"] in ("succeeded", "dead")]


def deals_with_canal(stack) -> list[str]:
    values = []
    for deal in steps.ploomes_records(stack, "Deals"):
        for prop in deal.get("OtherProperties") or []:
            if prop.get("FieldKey") == CANAL_FIELD:
                values.append(prop.get("StringValue"))
    return values


async def sign_in(page: Page, stack, token: str) -> None:
    await page.goto(f"{stack.server_url}/admin")
    await page.get_by_label("Admin token").fill(token)
    await page.get_by_role("button", name="Sign in").click()


async def test_an_operator_signs_in_replays_a_dead_event_edits_a_mapping_and_signs_out(
        stack, browser_page):
    page = browser_page
    await sign_in(page, stack, stack.admin_token[:-1] + "x")
    await expect(page.get_by_role("alert")).to_have_text("That is not the admin token.")
    await shoot(page, "sign-in")
    await sign_in(page, stack, stack.admin_token)
    await expect(page.get_by_role("heading", name="Overview")).to_be_visible()

    # A chat dies: the CRM refuses to create deals.
    with stack.sandbox("ploomes") as ploomes:
        ploomes.post("/_sandbox/faults", json={
            "status": 403, "count": 1000, "path": "/Deals", "method": "POST",
            "body": {"error": {"message": DEALS_REFUSED}}}).raise_for_status()
    send_chat(stack, 880001)
    [dead] = stack.wait_for_events(INTEGRATION, 1)
    assert dead["status"] == "dead"
    await page.reload()
    await expect(page.get_by_role("link", name="1", exact=True)).to_have_attribute(
        "href", f"/admin/dead-letters?integration={INTEGRATION}")
    await shoot(page, "overview")

    # Filter the events: the dead one is listed under "dead", not under "succeeded".
    await page.get_by_role("link", name="Events", exact=True).click()
    await page.get_by_label("Status").select_option("succeeded")
    await page.get_by_role("button", name="Filter").click()
    await expect(page.get_by_text("No events match.")).to_be_visible()
    await page.get_by_label("Status").select_option("dead")
    await page.get_by_label("Integration").select_option(INTEGRATION)
    await page.get_by_role("button", name="Filter").click()
    row = page.locator(f'tr[data-event-id="{dead["id"]}"]')
    await expect(row).to_contain_text("dead")
    await expect(page.locator("tbody tr")).to_have_count(1)
    await shoot(page, "events")

    await page.get_by_role("link", name="Dead letters").click()
    await expect(page.get_by_text(DEALS_REFUSED).first).to_be_visible()
    await shoot(page, "dead-letters")

    # Open it, fix the cause in the sandbox, replay it and watch it succeed.
    await page.get_by_role("link", name=f"event {dead['id']}").click()
    await expect(page.locator("#event-status")).to_have_text("dead")
    await expect(page.get_by_text(DEALS_REFUSED).first).to_be_visible()
    await shoot(page, "event")
    with stack.sandbox("ploomes") as ploomes:
        ploomes.delete("/_sandbox/faults").raise_for_status()
    await page.get_by_role("button", name="Replay").click()
    await expect(page.get_by_role("status")).to_have_text("Queued to run again.")
    await expect(page.locator("#event-status")).to_have_text("succeeded")
    await expect(page.get_by_role("cell", name="succeeded")).to_be_visible()

    # Edit the deal mapping: a wrong field first (checked as it is typed), then a right one
    # (checked with the button), then save.
    await page.goto(f"{stack.server_url}/admin/integrations/{INTEGRATION}/mappings")
    rules = page.get_by_label("Rules of deal")
    check = page.get_by_role("button", name="Check and preview").nth(
        await _slot_index(page, "deal"))
    await rules.fill("")
    await rules.press_sequentially("titel: page_title")  # checked as it is typed
    problem = page.locator("#check-deal")
    await expect(problem).to_contain_text("Wrong field: titel")
    await expect(problem).to_contain_text("Allowed fields: amount, close_date, collaborators")
    await rules.fill(f"custom.{CANAL_FIELD}: utm.source\n")
    await check.click()
    await expect(problem).to_contain_text(f"Applied to event {dead['id']}")
    await expect(problem.get_by_role("cell", name="google")).to_be_visible()
    await shoot(page, "mappings")
    await page.locator("form", has=rules).get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status").first).to_have_text(
        "deal: version 1 saved and in force.")
    await expect(page.locator("#in-force-deal")).to_have_text("In force: version 1 (saved here)")

    before = deals_with_canal(stack)
    send_chat(stack, 880002)
    stack.wait_for_events(INTEGRATION, 2, finished=("succeeded",))
    assert deals_with_canal(stack) == [*before, "google"]

    for section in ("integrations", "connections", "plugins"):
        await page.get_by_role("link", name=section.capitalize(), exact=True).click()
        await expect(page.get_by_role("heading", name=section.capitalize())).to_be_visible()
        await shoot(page, section)

    # Sign out: the pages ask for the token again.
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_text("You are signed out.")).to_be_visible()
    await page.goto(f"{stack.server_url}/admin/events")
    await expect(page.get_by_label("Admin token")).to_be_visible()
    assert re.search(r"/admin/sign-in\?next=", page.url)


async def _slot_index(page: Page, slot: str) -> int:
    """The position of a slot's section among the editor's sections."""
    ids = await page.locator("section h2").evaluate_all("els => els.map(e => e.id)")
    return ids.index(f"slot-{slot}")
