"""The deal_request recipe's body and its check against a CRM's metadata (the whole flow,
over a real server and the CRM sandboxes, is in tests/test_seed003_deal_request.py)."""

from __future__ import annotations

import pytest
from pontes.capabilities import FieldChoice, FieldInfo, Pipeline, PipelineStage, UserInfo
from pontes.recipes.crm_metadata import CrmMetadata
from pontes.recipes.deal_request import (
    DealRequestBody,
    custom_value,
    example_fields,
    problems_with,
)
from pydantic import ValidationError

METADATA = CrmMetadata(
    pipelines=[Pipeline(id="10", name="Sales", stages=[PipelineStage(id="11", name="New"),
                                                       PipelineStage(id="12", name="Won")])],
    deal_fields=[FieldInfo(id="100", name="Source", type="text"),
            FieldInfo(id="200", name="Product", type="select", required_stages=["12"],
                      choices=[FieldChoice(id="201", value="Basic"),
                               FieldChoice(id="202", value="Pro")]),
            FieldInfo(id="300", name="Phone", type="multitext", code="PHONE")],
    contact_fields=None,
    users=[UserInfo(id="7", name="Admin")])


def body(**fields) -> DealRequestBody:
    return DealRequestBody.model_validate({
        "amoClientId": "ignored", "ticketId": 5, "comment": "note",
        "fields": {"name": "gg", "price": 1, "pipeline_id": 10, "status_id": "11",
                   "responsible_user_id": 7,
                   "custom_fields_values": [
                       {"field_id": 100, "values": [{"value": "asd"}]},
                       {"field_id": 200, "values": [{"enum_id": 202}]}], **fields}})


def test_the_seed_shape_is_read_with_ids_as_text_and_choices_as_given():
    parsed = body()
    assert parsed.ticket_id == "5"
    assert (parsed.fields.pipeline_id, parsed.fields.status_id,
            parsed.fields.responsible_user_id) == ("10", "11", "7")
    assert parsed.fields.custom_fields_values[1].values[0].enum_id == 202
    assert problems_with(parsed, METADATA, "crm") == []


@pytest.mark.parametrize(("change", "field"), [
    ({"pipeline_id": 99}, "fields.pipeline_id"),
    ({"status_id": 12000}, "fields.status_id"),
    ({"responsible_user_id": 8}, "fields.responsible_user_id"),
    ({"custom_fields_values": [{"field_id": 999, "values": [{"value": "x"}]}]},
     "fields.custom_fields_values.0.field_id"),
    ({"custom_fields_values": [{"field_id": 200, "values": [{"enum_id": 201},
                                                             {"enum_id": 999}]}]},
     "fields.custom_fields_values.0.values.1.enum_id"),
])
def test_what_the_metadata_lacks_is_named(change, field):
    problems = problems_with(body(**change), METADATA, "crm")
    assert [p.field for p in problems] == [field]
    assert "crm" in problems[0].message


def test_a_crm_that_cannot_list_fields_or_users_takes_them_unchecked():
    blind = CrmMetadata(pipelines=METADATA.pipelines, deal_fields=None, contact_fields=None,
                        users=None)
    unknown = body(responsible_user_id=8,
                   custom_fields_values=[{"field_id": 999, "values": [{"value": "x"}]}])
    assert problems_with(unknown, blind, "crm") == []


@pytest.mark.parametrize(("data", "where"), [
    ({"ticketId": "1", "fields": {}}, ("fields", "pipeline_id")),
    ({"ticketId": "{{ticket_id}}", "fields": {"pipeline_id": 1}}, ("ticketId",)),
    ({"ticketId": "1", "fields": {"pipeline_id": 1, "budget": 3}}, ("fields", "budget")),
    ({"ticketId": "1", "fields": {"pipeline_id": 1, "price": "NaN"}}, ("fields", "price")),
    ({"ticketId": "1", "fields": {"pipeline_id": 1, "custom_fields_values": [
        {"field_id": 1, "values": [{}]}]}},
     ("fields", "custom_fields_values", 0, "values", 0)),
    ({"fields": {"pipeline_id": 1}}, ("ticketId",)),
])
def test_a_body_out_of_shape_is_refused_at_the_field(data, where):
    with pytest.raises(ValidationError) as refused:
        DealRequestBody.model_validate(data)
    assert [e["loc"] for e in refused.value.errors()] == [where]


def test_the_example_fills_the_required_fields_and_leaves_system_fields_out():
    assert [f.id for f in example_fields(METADATA)] == ["200"]
    optional = CrmMetadata(METADATA.pipelines, [
        f.model_copy(update={"required_stages": []}) for f in METADATA.deal_fields], None, None)
    assert [f.id for f in example_fields(optional)] == ["200", "100"]


def test_one_plain_value_is_the_fields_value_and_choices_stay_a_list():
    source, product = body().fields.custom_fields_values
    assert custom_value(source) == "asd"
    assert custom_value(product) == [{"enum_id": 202}]
