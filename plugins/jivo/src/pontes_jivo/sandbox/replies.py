"""How Jivo reads a receiver's answer to a webhook.

- ``chat_accepted`` and ``chat_updated``: the answer may carry ``custom_data``,
  ``contact_info``, ``enable_assign``, ``crm_link`` and ``page`` for the agent; if
  ``result`` is not exactly ``"ok"`` all of it is discarded and the agent sees nothing;
- every other event: Jivo expects ``{"result": "ok"}`` or the text of an error.

A delivery with no answer (timeout, refused connection), a non-2xx status, a body that is
not JSON or a ``result`` other than ``"ok"`` is a failure. Jivo documents no retry for
the Webhooks API, so the sandbox retries only when asked to.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

PANEL_EVENTS = ("chat_accepted", "chat_updated")
"""The events whose answer Jivo shows to the agent."""


@dataclass
class Verdict:
    """What Jivo made of one answer: accepted or not, why not, and what the agent sees."""

    ok: bool
    failure: str | None = None
    panel: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)


def judge(event_name: str, status: int | None, answer: str | None,
          error: str | None) -> Verdict:
    """Read one answer the way Jivo does (see the module docstring)."""
    if error is not None or status is None:
        return Verdict(False, f"no answer: {error or 'unknown error'}")
    if not 200 <= status < 300:
        return Verdict(False, f"HTTP {status}: {_excerpt(answer)}")
    try:
        body = json.loads(answer or "")
    except json.JSONDecodeError:
        return Verdict(False, f"error text instead of JSON: {_excerpt(answer)}")
    if not isinstance(body, dict):
        return Verdict(False, f"the answer is JSON but not an object: {_excerpt(answer)}")
    result = body.get("result")
    if result != "ok":
        shown = "; the agent is shown nothing" if event_name in PANEL_EVENTS else ""
        return Verdict(False, f"result is {result!r}, not 'ok'{shown}")
    if event_name not in PANEL_EVENTS:
        extra = sorted(set(body) - {"result"})
        problems = [f"ignored: {', '.join(extra)} (Jivo reads only 'result' for {event_name})"]
        return Verdict(True, problems=problems if extra else [])
    panel, problems = _panel(body)
    return Verdict(True, panel=panel, problems=problems)


def _panel(body: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    panel: dict[str, Any] = {}
    problems: list[str] = []
    if "custom_data" in body:
        lines = body["custom_data"]
        if not isinstance(lines, list):
            problems.append("custom_data is not a list")
        else:
            panel["custom_data"] = [line for line in lines if _custom_line_ok(line, problems)]
    if "contact_info" in body:
        info = body["contact_info"]
        if _contact_info_ok(info, problems):
            panel["contact_info"] = {k: info[k] for k in ("name", "phone", "email") if k in info}
    if "enable_assign" in body:
        if isinstance(body["enable_assign"], bool):
            panel["enable_assign"] = body["enable_assign"]
        else:
            problems.append("enable_assign is not a boolean")
    if "crm_link" in body:
        link = body["crm_link"]
        if isinstance(link, str) and link.startswith(("http://", "https://")):
            panel["crm_link"] = link
        else:
            problems.append("crm_link is not an http(s) URL")
    if "page" in body:
        page = body["page"]
        if isinstance(page, dict) and isinstance(page.get("url"), str):
            panel["page"] = {k: page[k] for k in ("url", "title") if k in page}
        else:
            problems.append("page has no url")
    return panel, problems


def _custom_line_ok(line: Any, problems: list[str]) -> bool:
    if not isinstance(line, dict):
        problems.append("a custom_data entry is not an object")
        return False
    if not isinstance(line.get("content"), str):
        problems.append(f"custom_data entry {line.get('title')!r} has no text content")
        return False
    for key in ("title", "link"):
        if key in line and not isinstance(line[key], str):
            problems.append(f"custom_data entry {line.get('title')!r}: {key} is not text")
            return False
    return True


def _contact_info_ok(info: Any, problems: list[str]) -> bool:
    if not isinstance(info, dict) or not isinstance(info.get("name"), str):
        problems.append("contact_info has no name")
        return False
    for key in ("phone", "email"):
        if key in info and not isinstance(info[key], str):
            problems.append(f"contact_info.{key} is not text")
            return False
    return True


def _excerpt(text: str | None) -> str:
    text = (text or "").strip()
    return text[:200] if text else "(empty)"
