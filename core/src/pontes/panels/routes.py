"""The panel's pages: ``/panels/<integration>...``, each with the signed context ``ctx``.

- ``GET  /panels/<i>``: the block: the client's contacts (each expanding to its deals),
  "Link" when several were found, "Create contact" / "Create deal";
- ``GET  /panels/<i>/contacts/<id>/deals``: a contact's deals with the chosen fields;
- ``POST /panels/<i>/contacts/<id>/link``: link the helpdesk client to that contact;
- ``GET|POST /panels/<i>/contacts/new``: "Create contact", prefilled from the client;
- ``GET|POST /panels/<i>/deals/new?contact=<id>``: "Create deal";
- ``GET  /panels/<i>/deals/<id>``: a deal's card: fields, feed, comments;
- ``POST /panels/<i>/deals/<id>/comments``: post a comment;
- ``GET|POST /panels/<i>/settings``: the gear: which deal fields lists and cards show;
- ``GET  /panels/<i>/logged-in``: where an OAuth login started from the panel returns.

Posts carry the CSRF token of the context and answer with a redirect to the page to
show next (htmx follows it in the frame; without scripts the browser does).
"""

from __future__ import annotations

from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..engine.explain import explain_failure
from ..errors import VendorError
from ..recipes.crm_metadata import crm_metadata
from .features import FeatureMissing
from .forms import contact_draft, contact_form, deal_draft, deal_form
from .session import Panel, panel_page

DEAL_FIELDS = "deal_fields"
"""The preference holding the custom deal fields lists and cards show (field ids)."""


def _after_post(panel: Panel, path: str = "", **params: str) -> Response:
    return RedirectResponse(panel.link(path, **params), status_code=303)


async def _login_if_needed(panel: Panel) -> None:
    """Raise ``NeedsLogin`` when the CRM connection signs in with OAuth and needs a
    login (before any call, so the panel shows the login at once)."""
    session = panel.crm.crm.oauth
    if session is not None:
        await session.tokens()


def said(panel: Panel, error: VendorError) -> str:
    """What the CRM said when it refused a form, with the connections' secrets masked."""
    return explain_failure(error, panel.integration.connections.values())


def _require(panel: Panel, feature: str) -> None:
    """Refuse a page whose feature the CRM lacks (a hand-made URL: the panel shows no
    button for it)."""
    if feature not in panel.crm.features:
        raise FeatureMissing(f"{panel.crm.crm.connector.title} cannot do this "
                             f"({feature}) through pontes")


async def _metadata_knowing(panel: Panel, pipeline: str | None, stage: str | None):
    """The CRM's metadata, read again when it does not know ``stage`` (a stage created
    since the cache was filled)."""
    metadata = await crm_metadata(panel.crm.crm)
    if stage and metadata.pipelines is not None and metadata.stage_name(pipeline, stage) is None:
        metadata = await crm_metadata(panel.crm.crm, fresh=True)
    return metadata


async def _chosen_fields(panel: Panel) -> list[str] | None:
    if "choose_fields" not in panel.crm.features:
        return None
    return list(await panel.preference(DEAL_FIELDS) or [])


async def card(panel: Panel) -> Response:
    """The block for the ticket's client."""
    await _login_if_needed(panel)
    contacts = await panel.crm.contacts(fresh=panel.request.query_params.get("fresh") == "1")
    return panel.render("panels/card.html", contacts=contacts)


async def deals(panel: Panel) -> Response:
    """A contact's deals, with the chosen fields."""
    _require(panel, "deals")
    contact_id = panel.request.path_params["contact"]
    fields = await _chosen_fields(panel)
    metadata = await crm_metadata(panel.crm.crm)
    found = await panel.crm.deals(contact_id, fields)
    return panel.render("panels/deals.html", partial=True, contact_id=contact_id,
                        deals=found, metadata=metadata, fields=_field_infos(metadata, fields))


def _field_infos(metadata, fields: list[str] | None) -> list:
    known = {f.id: f for f in metadata.deal_fields or []}
    return [known[f] for f in fields or [] if f in known]


async def link(panel: Panel) -> Response:
    """Link the helpdesk client to one of the contacts found."""
    _require(panel, "lookup")
    await panel.form()
    await panel.crm.link(panel.request.path_params["contact"])
    return _after_post(panel)


async def new_contact(panel: Panel) -> Response:
    """"Create contact": the form, and its post."""
    _require(panel, "create_contact")
    await _login_if_needed(panel)
    metadata = await crm_metadata(panel.crm.crm)
    form = contact_form(panel.context, metadata)
    if panel.request.method == "POST":
        form.fill(await panel.form())
        draft = contact_draft(form, metadata)
        if draft is not None:
            try:
                await panel.crm.create_contact(draft)
            except VendorError as exc:
                form.error = said(panel, exc)
            else:
                return _after_post(panel)
        return panel.render("panels/contact_form.html", form=form, status_code=422)
    return panel.render("panels/contact_form.html", form=form)


async def new_deal(panel: Panel) -> Response:
    """"Create deal" for one of the client's contacts: the form, and its post."""
    _require(panel, "create_deal")
    await _login_if_needed(panel)
    contact_id = panel.request.query_params.get("contact", "")
    await panel.crm.checked_contact(contact_id)
    if panel.request.method == "POST":
        posted = await panel.form()
        pipeline, _, stage = str(posted.get("stage") or "").partition(":")
        metadata = await _metadata_knowing(panel, pipeline, stage)
        form = deal_form(metadata)
        form.fill(posted)
        draft = deal_draft(form, metadata)
        if draft is not None:
            try:
                deal = await panel.crm.create_deal(draft, contact_id)
            except VendorError as exc:
                form.error = said(panel, exc)
            else:
                return _after_post(panel, f"/deals/{deal.refs[panel.crm.crm.name]}")
        return panel.render("panels/deal_form.html", form=form, contact_id=contact_id,
                            status_code=422)
    form = deal_form(await crm_metadata(panel.crm.crm))
    return panel.render("panels/deal_form.html", form=form, contact_id=contact_id)


async def deal(panel: Panel) -> Response:
    """A deal's card: its fields, feed and comments."""
    _require(panel, "deal_card")
    await _login_if_needed(panel)
    fields = await _chosen_fields(panel)
    found = await panel.crm.deal_card(panel.request.path_params["deal"])
    metadata = await _metadata_knowing(panel, found.deal.pipeline, found.deal.stage)
    return panel.render("panels/deal.html", card=found, metadata=metadata,
                        fields=_field_infos(metadata, fields))


async def comment(panel: Panel) -> Response:
    """Post a comment on a deal, then show its card again."""
    _require(panel, "post_comment")
    form = await panel.form()
    deal_id = panel.request.path_params["deal"]
    text = str(form.get("text") or "").strip()
    if text:
        await panel.crm.comment(deal_id, text)
    return _after_post(panel, f"/deals/{deal_id}")


async def settings(panel: Panel) -> Response:
    """The gear: choose the deal fields shown, kept for the integration."""
    _require(panel, "choose_fields")
    await _login_if_needed(panel)
    metadata = await crm_metadata(panel.crm.crm)
    if panel.request.method == "POST":
        form = await panel.form()
        known = {f.id for f in metadata.deal_fields or []}
        await panel.choose(DEAL_FIELDS, [f for f in form.getlist("field") if f in known])
        return _after_post(panel)
    chosen = await _chosen_fields(panel) or []
    return panel.render("panels/settings.html", fields=metadata.deal_fields or [],
                        chosen=chosen)


async def logged_in(panel: Panel) -> Response:
    """Where a login started from the panel comes back."""
    return panel.render("panels/logged_in.html")


routes = [
    Route("/panels/{integration}", panel_page(card), methods=["GET"]),
    Route("/panels/{integration}/contacts/new", panel_page(new_contact),
          methods=["GET", "POST"]),
    Route("/panels/{integration}/contacts/{contact}/deals", panel_page(deals), methods=["GET"]),
    Route("/panels/{integration}/contacts/{contact}/link", panel_page(link), methods=["POST"]),
    Route("/panels/{integration}/deals/new", panel_page(new_deal), methods=["GET", "POST"]),
    Route("/panels/{integration}/deals/{deal}", panel_page(deal), methods=["GET"]),
    Route("/panels/{integration}/deals/{deal}/comments", panel_page(comment),
          methods=["POST"]),
    Route("/panels/{integration}/settings", panel_page(settings), methods=["GET", "POST"]),
    Route("/panels/{integration}/logged-in", panel_page(logged_in), methods=["GET"]),
]
"""The panel's routes, mounted by the server."""
