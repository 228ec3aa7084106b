"""Automation requests (``POST /requests/<integration>/<token>``), fuzzed through the real
server with the Usedesk and amoCRM sandboxes: hostile bodies around seed 003's "POST
request" example (fields of other types, injections, huge numbers, deep nesting, ``NaN``,
forms, truncated or non-UTF-8 JSON...). Whatever comes, the answer is a documented one
(202 or 200 for a stored request, 400 or 422 with the reason) and never a 5xx."""

from __future__ import annotations

import httpx
import pytest
from hostile import deliveries
from hypothesis import given
from hypothesis import strategies as st
from intake import fuzz_settings
from pontes.plugins import load_plugins
from pontes.testing.stack import Stack

pytestmark = pytest.mark.slow

SEED_BODY = {
    "ticketId": "153341111",
    "fields": {"name": "gg", "price": 1, "status_id": 58840350, "pipeline_id": 3508507,
               "responsible_user_id": 504141,
               "custom_fields_values": [
                   {"field_id": 66339, "values": [{"value": "asd"}]},
                   {"field_id": 1372537, "values": [{"enum_id": 705377}]},
                   {"field_id": 1372539, "values": [{"enum_id": 705381}, {"enum_id": 705385}]}]},
    "comment": "4444",
}
DOCUMENTED = {200, 202, 400, 422}

needs = pytest.mark.skipif(
    not {"usedesk", "amocrm"} <= set(load_plugins().registry.sandboxes),
    reason="needs pontes-usedesk and pontes-amocrm")


@pytest.fixture(scope="module")
def request_url(tmp_path_factory):
    with Stack.running(tmp_path_factory.mktemp("fuzz-requests"),
                       connections={"usedesk": ("usedesk", {}), "amocrm": ("amocrm", {})},
                       integrations={"deals": {"recipe": "deal_request",
                                               "helpdesk": "usedesk", "crm": "amocrm"}},
                       sandbox_options={"amocrm": {"requests_per_second": 1000}},
                       server_env={"PONTES_RUN_EVENTS": "false"}) as stack:
        (found,) = stack.runtime.request_urls()
        yield found.url


@needs
@fuzz_settings(in_ci=40, in_full=3000)
@given(data=st.data())
def test_hostile_request_bodies(request_url, data):
    delivery = data.draw(deliveries([SEED_BODY]), label="body")
    answer = httpx.post(request_url, content=delivery.body,
                        headers={"Content-Type": delivery.content_type}, timeout=30)
    assert answer.status_code in DOCUMENTED, f"{answer.status_code}: {answer.text[:500]}"
    if answer.status_code >= 400:
        assert isinstance(answer.json().get("error"), str), answer.text[:500]
