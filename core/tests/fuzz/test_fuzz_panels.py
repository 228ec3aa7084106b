"""The CRM panel's pages (``/panels/<integration>...``), fuzzed through the real server with
the Usedesk and amoCRM sandboxes: forged, cut or foreign contexts, odd contact and deal
ids, and hostile form bodies with a good context and CSRF token. Whatever comes, the
answer is a page with a reason (400, 403, 404, 405, 422, or the CRM's refusal) or a redirect,
never a 5xx from pontes itself or a stack trace."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest
from hostile import deliveries
from hypothesis import given
from hypothesis import strategies as st
from intake import fuzz_settings
from pontes.plugins import load_plugins
from pontes.testing.stack import Stack

pytestmark = pytest.mark.slow

PATHS = ["", "/contacts/new", "/contacts/{id}/deals", "/contacts/{id}/link", "/deals/new",
         "/deals/{id}", "/deals/{id}/comments", "/settings", "/logged-in"]
FORM = {"name": "Ivan", "emails": "ivan@example.org", "title": "Deal", "stage": "1:2",
        "text": "hello", "field": "66339"}
ANSWERED = {200, 303, 400, 403, 404, 405, 422, 502}
"""A page, a redirect, a refusal with its reason (400 for a body that is no form), or the
CRM's own refusal (502)."""

needs = pytest.mark.skipif(
    not {"usedesk", "amocrm"} <= set(load_plugins().registry.sandboxes),
    reason="needs pontes-usedesk and pontes-amocrm")


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    """A panel URL of a real ticket card, and its CSRF token."""
    with Stack.running(tmp_path_factory.mktemp("fuzz-panels"),
                       connections={"usedesk": ("usedesk", {}), "amocrm": ("amocrm", {})},
                       integrations={"block": {"recipe": "crm_panel", "helpdesk": "usedesk",
                                               "crm": "amocrm"}},
                       sandbox_options={"amocrm": {"requests_per_second": 1000}}) as stack:
        with stack.sandbox("usedesk") as usedesk:
            usedesk.post("/_sandbox/blocks", json={
                "name": "crm", "url": stack.hook_url("block", "helpdesk")}).raise_for_status()
            [shown] = usedesk.post("/_sandbox/tickets/153341111/blocks",
                                   json={"automatic": True}).raise_for_status().json()
        url = html.unescape(re.search(r'src="([^"]+)"', shown["html"]).group(1))
        page = httpx.get(url, timeout=30).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html.unescape(page))
        yield url, csrf.group(1) if csrf else ""


def check(answer: httpx.Response) -> None:
    assert answer.status_code in ANSWERED, f"{answer.status_code}: {answer.text[:500]}"
    assert "Traceback" not in answer.text


def base_and_context(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)["ctx"][0]


@needs
@fuzz_settings(in_ci=40, in_full=3000)
@given(data=st.data())
def test_forged_and_foreign_contexts_are_refused(panel, data):
    url, _ = panel
    base, context = base_and_context(url)
    spoiled = data.draw(st.one_of(
        st.text(max_size=400),
        st.builds(lambda cut: context[:cut], st.integers(0, len(context))),
        st.builds(lambda at, ch: context[:at] + ch + context[at + 1:],
                  st.integers(0, len(context) - 1), st.characters())), label="ctx")
    path = data.draw(st.sampled_from(PATHS), label="path").replace("{id}", "1")
    method = data.draw(st.sampled_from(["GET", "POST"]), label="method")
    answer = httpx.request(method, f"{base}{path}", params={"ctx": spoiled},
                           data=FORM if method == "POST" else None, timeout=30)
    check(answer)
    if spoiled != context:
        assert answer.status_code in {403, 404, 405}


@needs
@fuzz_settings(in_ci=40, in_full=3000)
@given(data=st.data())
def test_odd_ids_and_hostile_forms_with_a_good_context(panel, data):
    url, csrf = panel
    base, context = base_and_context(url)
    record = data.draw(st.one_of(st.text(min_size=1, max_size=60),
                                 st.integers(-10, 10**20).map(str)), label="id")
    path = data.draw(st.sampled_from(PATHS), label="path").replace(
        "{id}", quote(record, safe=""))
    delivery = data.draw(deliveries([FORM]), label="body")
    answer = httpx.post(f"{base}{path}", params={"ctx": context}, content=delivery.body,
                        headers={"Content-Type": delivery.content_type,
                                 "X-CSRF-Token": csrf}, timeout=30)
    check(answer)
