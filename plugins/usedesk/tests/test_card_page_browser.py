"""The sandbox's ticket card in Chromium, as an agent sees it: the card opens, posts to
its dynamic blocks, and shows the HTML each one answers; Refresh posts again; a block
that fails or answers too late shows an error in its place.

The block is a small app of its own behind core's fault injection (``sandbox_app``), so
a test queues its failures the way any sandbox's are queued."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html import escape
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pontes.plugin import SandboxControl, sandbox_app
from pontes.testing import serve_app
from pontes.testing.browser import browser_missing
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    from playwright.async_api import Locator, Page

expect = pytest.importorskip("playwright.async_api", reason=browser_missing()).expect

pytestmark = [pytest.mark.browser, pytest.mark.anyio]

SEEDED_TICKET = 153341111
ERROR_RED = "rgb(170, 0, 0)"
"""The colour the card gives a block's error (``.block-error``)."""


@dataclass
class BlockServer:
    """Dynamic blocks on loopback: ``POST /{name}`` answers ``{"html": ...}`` naming the
    client of the card and counting the loads; ``fault(...)`` queues a core fault."""

    url: str = ""
    posted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    html: dict[str, str] = field(default_factory=dict)

    def app(self) -> Starlette:
        async def answer(request: Request) -> Response:
            name = request.path_params["name"]
            try:
                body = await request.json()
            except ClientDisconnect:  # the card stopped waiting (a delayed answer)
                return Response(status_code=499)
            self.posted.append((name, body))
            loads = sum(1 for posted, _ in self.posted if posted == name)
            how = "automatic" if body["is_auto_load"] == "1" else "refresh"
            default = (f'<p>CRM client <strong class="client">'
                       f'{escape(body["client_data"]["name"])}</strong></p>'
                       f'<p class="load">load {loads} ({how})</p>')
            return JSONResponse({"html": self.html.get(name, default)})

        return sandbox_app([Route("/{name}", answer, methods=["POST"])],
                           SandboxControl(self.posted.clear))

    def fault(self, name: str, **spec: Any) -> None:
        httpx.post(f"{self.url}/_sandbox/faults", json={"path": f"/{name}", **spec}
                   ).raise_for_status()


@pytest.fixture
def blocks() -> Iterator[BlockServer]:
    server = BlockServer()
    with serve_app(server.app()) as url:
        server.url = url
        yield server


def add_block(usedesk, blocks: BlockServer, name: str, **spec: Any) -> None:
    usedesk.control("/blocks", {"name": name, "url": f"{blocks.url}/{name}", **spec}
                    ).raise_for_status()


async def open_card(page: Page, usedesk) -> None:
    await page.goto(f"{usedesk.url}/_sandbox/tickets/{SEEDED_TICKET}/card")


def block_of(page: Page, name: str) -> Locator:
    return page.locator(f'section[data-block="{name}"]')


async def test_the_card_shows_what_the_block_answers_and_refresh_loads_it_again(
        browser_page, usedesk, blocks):
    add_block(usedesk, blocks, "crm", title="CRM")
    add_block(usedesk, blocks, "off", enabled=False)
    await open_card(browser_page, usedesk)

    await expect(browser_page.locator("#subject")).to_have_text("Order question")
    crm = block_of(browser_page, "crm")
    await expect(crm.locator("header")).to_contain_text("CRM")
    await expect(crm.locator(".block-body strong.client")).to_have_text("Ivan Petrov")
    await expect(crm.locator(".load")).to_have_text("load 1 (automatic)")
    await expect(block_of(browser_page, "off")).to_have_count(0)

    await crm.get_by_role("button", name="Refresh").click()
    await expect(crm.locator(".load")).to_have_text("load 2 (refresh)")
    assert [(name, body["is_auto_load"]) for name, body in blocks.posted] == [
        ("crm", "1"), ("crm", "0")]
    assert blocks.posted[0][1]["ticket_id"] == SEEDED_TICKET


async def test_a_block_that_fails_or_answers_late_shows_an_error_until_refreshed(
        browser_page, usedesk, blocks):
    usedesk.control("/card-settings", {"timeout": 1}).raise_for_status()
    for name in ("down", "slow", "cut"):
        add_block(usedesk, blocks, name)
    blocks.fault("down", status=503)
    blocks.fault("slow", delay=3)
    blocks.fault("cut", drop=True)
    await open_card(browser_page, usedesk)

    errors = {name: block_of(browser_page, name).locator(".block-error")
              for name in ("down", "slow", "cut")}
    await expect(errors["down"]).to_have_text("The block answered HTTP 503.")
    await expect(errors["slow"]).to_have_text("The block did not answer within 1 s.")
    await expect(errors["cut"]).to_contain_text("The block could not be reached")
    for error in errors.values():
        await expect(error).to_have_css("color", ERROR_RED)

    down = block_of(browser_page, "down")
    await down.get_by_role("button", name="Refresh").click()
    await expect(down.locator(".load")).to_have_text("load 1 (refresh)")
    await expect(errors["down"]).to_have_count(0)
    await expect(errors["slow"]).to_be_visible()


async def test_scripts_in_a_block_run_only_when_the_card_settings_say_so(
        browser_page, usedesk, blocks):
    blocks.html["widget"] = ('<p id="widget">as sent</p>'
                             '<script>document.getElementById("widget").textContent = '
                             '"changed by its script";</script>')
    add_block(usedesk, blocks, "widget")
    await open_card(browser_page, usedesk)
    await expect(browser_page.locator("#widget")).to_have_text("as sent")

    usedesk.control("/card-settings", {"run_scripts": True}).raise_for_status()
    await open_card(browser_page, usedesk)
    await expect(browser_page.locator("#widget")).to_have_text("changed by its script")
