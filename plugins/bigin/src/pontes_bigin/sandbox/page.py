"""The record page of the sandbox: what a Bigin user sees when opening a contact, a
company or a deal, with the tabs of its details page. The ``Tickets`` tab holds an
iframe whose address is the sandbox's ``tab_url`` (set with ``PUT /_sandbox/tab``), with
``{module}``, ``{id}``, ``{email}`` and ``{org_id}`` filled in, as a topping's tab gets
the record it is opened on.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from .state import ORG_ID, BiginState

PAGE_MODULES = {"contacts": "Contacts", "companies": "Accounts", "pipelines": "Pipelines"}
"""The page's path segment (as Bigin's web app spells it) -> the API module."""

SHOWN_FIELDS = {"Contacts": ("Full_Name", "Email", "Phone", "Mobile", "Account_Name"),
                "Accounts": ("Account_Name", "Phone", "Website"),
                "Pipelines": ("Deal_Name", "Sub_Pipeline", "Stage", "Amount", "Closing_Date",
                              "Contact_Name", "Account_Name")}


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("id")
    return html.escape("" if value is None else str(value))


def tab_address(state: BiginState, module: str, record: dict[str, Any]) -> str | None:
    """The embedded tab's address for ``record``, or ``None`` when none is set."""
    if not state.tab_url:
        return None
    values = {"module": module, "id": record["id"], "org_id": ORG_ID,
              "email": record.get("Email") or ""}
    address = state.tab_url
    for key, value in values.items():
        address = address.replace("{" + key + "}", quote(str(value), safe=""))
    return address


def render_page(state: BiginState, module: str, record: dict[str, Any]) -> str:
    """The details page of one record, with its Notes and Tickets tabs."""
    title = _text(record.get("Full_Name") or record.get("Account_Name")
                  or record.get("Deal_Name"))
    rows = "".join(f"<tr><th>{html.escape(f.replace('_', ' '))}</th>"
                   f"<td data-field=\"{f}\">{_text(record.get(f))}</td></tr>"
                   for f in SHOWN_FIELDS[module])
    notes = "".join(f"<li>{_text(n.get('Note_Title'))} {_text(n.get('Note_Content'))}</li>"
                    for n in state.notes.values()
                    if (n.get("Parent_Id") or {}).get("id") == record["id"])
    address = tab_address(state, module, record)
    tab = (f"<iframe id=tickets-frame title=Tickets src=\"{html.escape(address)}\" "
           "width=\"100%\" height=\"480\"></iframe>" if address
           else "<p id=tickets-empty>No topping gives this tab.</p>")
    return ("<!doctype html><html><head><meta charset=utf-8>"
            f"<title>{title} - Bigin</title></head><body>"
            f"<h1 id=record-title>{title}</h1>"
            f"<table id=record-fields>{rows}</table>"
            "<nav><a href=#notes>Notes</a> <a href=#tickets>Tickets</a></nav>"
            f"<section id=notes><h2>Notes</h2><ul>{notes}</ul></section>"
            f"<section id=tickets><h2>Tickets</h2>{tab}</section></body></html>")


def page_routes(state: BiginState) -> list[Route]:
    """``GET /bigin/org<org_id>/<contacts|companies|pipelines>/<id>``."""

    async def page(request: Request) -> Response:
        module = PAGE_MODULES.get(request.path_params["kind"])
        record = state.records[module].get(request.path_params["record_id"]) if module else None
        if record is None:
            return HTMLResponse("<h1>Record not found</h1>", status_code=404)
        return HTMLResponse(render_page(state, module, record))

    return [Route(f"/bigin/org{ORG_ID}" + "/{kind:str}/{record_id:str}", page,
                  methods=["GET"])]
