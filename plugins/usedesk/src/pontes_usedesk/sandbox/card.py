"""The ticket card: the page an agent sees for a ticket, with its dynamic blocks.

When the page opens, Usedesk POSTs JSON to every enabled block's URL and shows the HTML
of each answer ``{"html": "..."}`` in the block; the block's refresh button posts again
(with ``is_auto_load`` ``"0"``). An answer later than the block timeout (60 s) or without
``html`` shows an error in the block instead. The body carries ``ticket_id``,
``subject``, ``client_id``, ``channel_id``, ``contact``, ``client_data``, ``channel_data``,
``is_auto_load``, the block's ``secret_key`` when it has one, and the block's own
parameters.

The page inserts the HTML into the block as a browser does with ``innerHTML``: scripts in
it do not run (whether Usedesk runs them is not documented), unless the card settings
say ``run_scripts``.
"""

from __future__ import annotations

import asyncio
import json
from html import escape
from typing import Any

import httpx

from .state import Block, UsedeskState


def block_body(state: UsedeskState, ticket: dict[str, Any], block: Block,
               automatic: bool) -> dict[str, Any]:
    """What Usedesk posts to ``block`` for ``ticket``."""
    client = state.clients.get(ticket["client_id"]) or {}
    channel = state.channels.get(ticket["channel_id"], {})
    emails = [e["email"] for e in client.get("emails", [])]
    phones = [{"type": p["type"], "phone": p["phone"]} for p in client.get("phones", [])]
    body: dict[str, Any] = {
        "ticket_id": ticket["id"],
        "subject": ticket["subject"],
        "client_id": ticket["client_id"],
        "channel_id": ticket["channel_id"],
        "contact": emails[0] if emails else (phones[0]["phone"] if phones else ""),
        "client_data": {
            "name": client.get("name", ""),
            "emails": emails,
            "phones": phones,
            "social_services": [],
            "addresses": [{"country": a.get("country", ""), "city": a.get("city", ""),
                           "address": a.get("address", ""), "type": a.get("type", "")}
                          for a in client.get("addresses", [])],
            "messengers": [],
            "sites": [],
        },
        "channel_data": {"type": channel.get("channel_type"),
                         "data": channel.get("channel_name"),
                         "id": ticket["channel_id"]},
        "is_auto_load": "1" if automatic else "0",
    }
    if block.secret_key:
        body["secret_key"] = block.secret_key
    body.update(block.parameters)
    return body


async def load_blocks(state: UsedeskState, ticket: dict[str, Any], *, automatic: bool,
                      only: str | None = None) -> list[dict[str, Any]]:
    """Post to every enabled block (or only the one named ``only``) at once, and return
    what each shows: ``{name, title, url, request, status, html, error}``."""
    blocks = [b for b in state.blocks.values() if b.enabled and only in (None, b.name)]
    async with httpx.AsyncClient(timeout=state.block_timeout) as client:
        results = await asyncio.gather(*(
            _load(client, block, block_body(state, ticket, block, automatic), state)
            for block in blocks))
    state.card_log.extend(results)
    return list(results)


async def _load(client: httpx.AsyncClient, block: Block, body: dict[str, Any],
                state: UsedeskState) -> dict[str, Any]:
    result: dict[str, Any] = {"name": block.name, "title": block.title or block.name,
                              "url": block.url, "request": body, "status": None,
                              "html": None, "error": None}
    try:
        response = await client.post(block.url, json=body)
    except httpx.TimeoutException:
        result["error"] = f"The block did not answer within {state.block_timeout:g} s."
        return result
    except httpx.HTTPError as exc:
        result["error"] = f"The block could not be reached: {type(exc).__name__}."
        return result
    result["status"] = response.status_code
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not response.is_success:
        result["error"] = f"The block answered HTTP {response.status_code}."
    elif not isinstance(answer, dict) or not isinstance(answer.get("html"), str):
        result["error"] = 'The block did not answer a JSON object with "html".'
    else:
        result["html"] = answer["html"]
    return result


def card_page(state: UsedeskState, ticket: dict[str, Any]) -> str:
    """The ticket's page: its subject, client and messages, and its blocks, which the
    page loads as soon as it opens."""
    client = state.clients.get(ticket["client_id"]) or {}
    contacts = [e["email"] for e in client.get("emails", [])]
    contacts += [p["phone"] for p in client.get("phones", [])]
    messages = "".join(
        f'<div class="message {escape(c["type"])} from-{escape(c["from"])}">'
        f'<div class="meta">{escape(c["from"])} · {escape(c["type"])} · '
        f'{escape(c["published_at"])}</div><div class="text">{c["message"]}</div></div>'
        for c in state.comments[ticket["id"]])
    blocks = "".join(
        f'<section class="block" data-block="{escape(b.name)}"><header>'
        f'<span>{escape(b.title or b.name)}</span><button type="button" class="refresh" '
        f'data-block="{escape(b.name)}">Refresh</button></header>'
        f'<div class="block-body">Loading…</div></section>'
        for b in state.blocks.values() if b.enabled)
    return _PAGE.format(
        subject=escape(ticket["subject"]), ticket_id=ticket["id"],
        client=escape(client.get("name", "")), contacts=escape(", ".join(contacts)),
        messages=messages, blocks=blocks or '<p class="empty">No dynamic blocks.</p>',
        run_scripts=json.dumps(state.run_block_scripts))


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Ticket #{ticket_id}: {subject}</title>
<style>
body {{ font-family: sans-serif; margin: 0; display: flex; }}
main {{ flex: 1; padding: 1em 2em; }}
aside {{ width: 26em; border-left: 1px solid #ddd; padding: 1em; background: #fafafa; }}
.message {{ border: 1px solid #e5e5e5; border-radius: 4px; margin: .5em 0; padding: .5em; }}
.message.private {{ background: #fff8dc; }}
.meta {{ color: #777; font-size: .8em; }}
.block {{ border: 1px solid #ddd; background: #fff; margin-bottom: 1em; }}
.block header {{ display: flex; justify-content: space-between; padding: .4em .6em;
  background: #f0f0f0; font-weight: bold; }}
.block-body {{ padding: .6em; }}
.block-error {{ color: #a00; }}
</style></head>
<body>
<main>
<h1 id="subject">{subject}</h1>
<p id="client">#{ticket_id} · {client} · {contacts}</p>
<div id="messages">{messages}</div>
</main>
<aside id="blocks">{blocks}</aside>
<script>
const runScripts = {run_scripts};
function show(section, result) {{
  const body = section.querySelector(".block-body");
  if (result.error) {{
    body.innerHTML = "";
    const p = document.createElement("p");
    p.className = "block-error";
    p.textContent = result.error;
    body.appendChild(p);
    return;
  }}
  body.innerHTML = result.html;
  if (runScripts) {{
    for (const old of body.querySelectorAll("script")) {{
      const fresh = document.createElement("script");
      for (const a of old.attributes) fresh.setAttribute(a.name, a.value);
      fresh.textContent = old.textContent;
      old.replaceWith(fresh);
    }}
  }}
}}
async function load(automatic, only) {{
  const answer = await fetch("blocks", {{method: "POST",
    headers: {{"Content-Type": "application/json"}},
    body: JSON.stringify({{automatic: automatic, name: only || null}})}});
  for (const result of await answer.json()) {{
    const section = document.querySelector(`section[data-block="${{CSS.escape(result.name)}}"]`);
    if (section) show(section, result);
  }}
}}
for (const button of document.querySelectorAll("button.refresh")) {{
  button.addEventListener("click", () => load(false, button.dataset.block));
}}
load(true, null);
</script>
</body></html>
"""
