"""Seed 003's amoCRM block in Chromium, as an agent uses it: the Usedesk sandbox's ticket
card shows the pontes panel in its block; the agent links one of two matching contacts,
creates a deal, opens it and posts a comment, and the amoCRM sandbox's state is checked
after each step. A second block whose amoCRM connection was never logged in shows
"Login to amoCRM"; the agent logs in through amoCRM's authorize page in a new tab and
the block updates itself.

With ``PONTES_PANEL_SCREENSHOTS`` set to a directory, screenshots of the card are saved
there (``docs/panels/`` holds the one ``docs/panels.md`` shows); otherwise in the test's
temporary directory.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from panel_support import add_block, amocrm_contact, amocrm_notes, amocrm_records, new_ticket
from pontes.testing.browser import browser_missing
from pontes.testing.stack import Stack
from pontes_amocrm.sandbox.state import PIPELINE_ID, WORKING_STATUS_ID

if TYPE_CHECKING:
    from playwright.async_api import FrameLocator, Page

expect = pytest.importorskip("playwright.async_api", reason=browser_missing()).expect

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.anyio]

PRODUCT_FIELD, BASIC = 1372537, 705377
CONNECTIONS = {"usedesk": ("usedesk", {}), "amocrm": ("amocrm", {}),
               "amocrm-login": ("amocrm", {"long_lived_token": None})}
INTEGRATIONS = {
    "amo-block": {"recipe": "crm_panel", "helpdesk": "usedesk", "crm": "amocrm"},
    "amo-login": {"recipe": "crm_panel", "helpdesk": "usedesk", "crm": "amocrm-login"},
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack.running(tmp_path_factory.mktemp("seed003-panel-browser"),
                       connections=CONNECTIONS, integrations=INTEGRATIONS,
                       sandbox_options={"amocrm": {"requests_per_second": 50}}) as running:
        add_block(running, "amo-block", "amoCRM")
        add_block(running, "amo-login", "amoCRM-login")
        yield running


async def shoot(page: Page, tmp_path: Path, name: str) -> Path:
    """Save a screenshot of the card (in ``PONTES_PANEL_SCREENSHOTS``, else ``tmp_path``)."""
    folder = Path(os.environ.get("PONTES_PANEL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


def panel(page: Page, block: str) -> FrameLocator:
    return page.frame_locator(f'section[data-block="{block}"] iframe.pontes-panel')


def unique() -> str:
    return uuid.uuid4().hex[:8]


async def test_an_agent_links_a_contact_creates_a_deal_opens_it_and_comments(
        stack, browser_page, tmp_path):
    page = browser_page
    await page.set_viewport_size({"width": 1280, "height": 900})
    email, phone = f"maria-{unique()}@example.org", f"+7999{uuid.uuid4().int % 10**7:07d}"
    by_email = amocrm_contact(stack, "Maria (by e-mail)", email=email)
    by_phone = amocrm_contact(stack, "Maria (by phone)", phone=phone)
    ticket = new_ticket(stack, "Maria Lopes", email, phone)
    contacts_before = len(amocrm_records(stack, "contacts"))

    await page.goto(f"{stack.sandbox_urls['usedesk']}/_sandbox/tickets/{ticket}/card")
    block = panel(page, "amoCRM")
    await expect(block.locator(f'li[data-contact="{by_email}"]')).to_be_visible()
    await expect(block.locator(f'li[data-contact="{by_phone}"]')).to_be_visible()
    await expect(block.get_by_role("button", name="Link")).to_have_count(2)
    await shoot(page, tmp_path, "panel-contacts")

    # A contact expands to its deals.
    first = block.locator(f'li[data-contact="{by_email}"]')
    await first.locator("summary").click()
    await expect(first.locator(".no-deals")).to_have_text("No deals.")

    # Link: only the linked contact shows; amoCRM is unchanged, the links store has it.
    await block.locator(f'li[data-contact="{by_phone}"]').get_by_role(
        "button", name="Link").click()
    await expect(block.get_by_text("Linked to this client.")).to_be_visible()
    await expect(block.locator(f'li[data-contact="{by_email}"]')).to_have_count(0)
    assert len(amocrm_records(stack, "contacts")) == contacts_before
    [group] = stack.admin("GET", "/links", params={"kind": "contact", "connection": "amocrm",
                                                   "remote_id": str(by_phone)})
    assert set(group["refs"]) == {"usedesk", "amocrm"}

    # Create a deal in a stage that requires the Product field.
    await block.get_by_role("link", name="Create deal").click()
    await block.get_by_label("Title").fill("Maria's upgrade")
    await block.get_by_label("Amount").fill("320")
    await block.get_by_label("Stage").select_option(f"{PIPELINE_ID}:{WORKING_STATUS_ID}")
    await block.get_by_role("button", name="Create").click()
    await expect(block.locator('[data-field="field_1372537"] .field-error')).to_have_text(
        "Required.")
    assert not [lead for lead in amocrm_records(stack, "leads")
                if lead["name"] == "Maria's upgrade"]
    await block.get_by_label("Product").select_option(str(BASIC))
    await block.get_by_role("button", name="Create").click()
    await expect(block.locator("h2.deal-title")).to_have_text("Maria's upgrade")
    [lead] = [lead for lead in amocrm_records(stack, "leads") if lead["name"] == "Maria's upgrade"]
    assert (lead["price"], lead["status_id"]) == (320, WORKING_STATUS_ID)
    assert [c["id"] for c in lead["_embedded"]["contacts"]] == [by_phone]
    assert [[v["enum_id"] for v in f["values"]] for f in lead["custom_fields_values"]
            if f["field_id"] == PRODUCT_FIELD] == [[BASIC]]

    # Open it from the list, then comment.
    await block.get_by_role("link", name="Back").click()
    await block.locator(f'tr[data-deal="{lead["id"]}"]').get_by_role("link").click()
    await expect(block.locator("td.deal-stage")).to_have_text("Negotiation")
    await expect(block.locator("li.feed-entry").first).to_be_visible()
    await block.get_by_label("New comment").fill("Wants the Pro plan next month")
    await block.get_by_role("button", name="Post comment").click()
    await expect(block.locator(".comment-text")).to_have_text("Wants the Pro plan next month")
    assert [n["params"]["text"].splitlines()[0] for n in amocrm_notes(stack, lead["id"])] == [
        "Wants the Pro plan next month"]
    await shoot(page, tmp_path, "panel-deal")


async def test_a_panel_whose_crm_needs_a_login_runs_the_oauth_flow_and_comes_back(
        stack, browser_page, tmp_path):
    page = browser_page
    email = f"leo-{unique()}@example.org"
    contact = amocrm_contact(stack, "Leo", email=email)
    ticket = new_ticket(stack, "Leo", email)
    await page.goto(f"{stack.sandbox_urls['usedesk']}/_sandbox/tickets/{ticket}/card")
    block = panel(page, "amoCRM-login")
    login = block.get_by_role("link", name="Login to amoCRM")
    await expect(login).to_be_visible()
    await shoot(page, tmp_path, "panel-login")

    async with page.context.expect_page() as opened:
        await login.click()
    authorize = await opened.value
    await authorize.get_by_role("button", name="Allow").click()
    await expect(authorize.locator("p.logged-in")).to_have_text(
        "You are logged in to amoCRM.")
    assert "/panels/amo-login/logged-in" in authorize.url

    # The block in the ticket updates itself once the connection is logged in.
    await expect(block.locator(f'li[data-contact="{contact}"]')).to_be_visible()
    with stack.sandbox("amocrm") as amocrm:
        assert amocrm.get("/_sandbox/tokens").json()["issued"] >= 1
