"""The create forms: built from the CRM's field metadata, and what a filled form makes."""

from __future__ import annotations

from decimal import Decimal

from pontes.capabilities import FieldChoice, FieldInfo, Pipeline, PipelineStage, UserInfo
from pontes.panels.context import PanelContext
from pontes.panels.forms import contact_draft, contact_form, deal_draft, deal_form, shown_value
from pontes.recipes.crm_metadata import CrmMetadata
from starlette.datastructures import FormData

PRODUCT = FieldInfo(id="20", name="Product", type="select", required_stages=["2"],
                    choices=[FieldChoice(id="705377", value="Basic"),
                             FieldChoice(id="705379", value="Pro")])
CHANNELS = FieldInfo(id="30", name="Channels", type="multiselect", required=True,
                     choices=[FieldChoice(id="1", value="E-mail"), FieldChoice(id="2",
                                                                              value="Chat")])
SOURCE = FieldInfo(id="40", name="Source", type="text")
METADATA = CrmMetadata(
    pipelines=[Pipeline(id="9", name="Sales", stages=[PipelineStage(id="1", name="New"),
                                                      PipelineStage(id="2", name="Talks")])],
    deal_fields=[PRODUCT, CHANNELS, SOURCE], contact_fields=[],
    users=[UserInfo(id="7", name="Olga")])


def test_the_deal_form_asks_for_the_required_fields_with_choices_as_selects():
    form = deal_form(METADATA)
    assert [f.name for f in form.fields] == ["title", "amount", "stage", "owner", "field_20",
                                             "field_30"]
    assert form.get("stage").choices == [("Sales", [("9:1", "New"), ("9:2", "Talks")])]
    product = form.get("field_20")
    assert (product.kind, product.required, product.required_in) == ("select", False,
                                                                     ["Talks"])
    assert product.choices == [("705377", "Basic"), ("705379", "Pro")]
    assert form.get("field_30").kind == "multiselect" and form.get("field_30").required


def filled(form, **values):
    form.fill(FormData([(k, v) for k, vs in values.items()
                        for v in (vs if isinstance(vs, list) else [vs])]))
    return form


def test_a_field_required_in_the_chosen_stage_must_be_filled():
    form = filled(deal_form(METADATA), title="Upgrade", stage="9:2", field_30=["1", "2"])
    assert deal_draft(form, METADATA) is None
    assert form.get("field_20").error == "Required."
    form = filled(deal_form(METADATA), title="Upgrade", stage="9:1", field_30="1",
                  amount="12.5", owner="7")
    deal = deal_draft(form, METADATA)
    assert deal is not None
    assert (deal.title, deal.amount, deal.pipeline, deal.stage, deal.owner.remote_id) == (
        "Upgrade", Decimal("12.5"), "9", "1", "7")
    assert deal.custom == {"30": [{"enum_id": 1}]}


def test_bad_values_are_named_on_their_fields():
    form = filled(deal_form(METADATA), title="", stage="9:77", amount="lots", owner="8",
                  field_30="99", field_20="705379")
    assert deal_draft(form, METADATA) is None
    errors = {f.name: f.error for f in form.fields if f.error}
    assert errors == {"title": "Required.", "stage": "Choose a stage.", "amount": "Give a number.",
                      "owner": "Choose one of the listed users.",
                      "field_30": "Choose one of the listed values."}


def test_the_contact_form_is_prefilled_from_the_helpdesk_client():
    context = PanelContext(integration="i", ticket="1", client="5", name="Ana Lima",
                           emails=("ana@example.org",), phones=("+5511912345678",))
    form = contact_form(context, METADATA)
    assert [(f.name, f.value) for f in form.fields] == [
        ("name", "Ana Lima"), ("emails", "ana@example.org"), ("phones", "+5511912345678")]
    form = filled(form, name="Ana Lima", emails="ANA@example.org, ana2@example.org",
                  phones="(11) 91234-5678")
    contact = contact_draft(form, METADATA)
    assert contact.emails == ["ana@example.org", "ana2@example.org"]
    assert contact.phones == ["+5511912345678"]
    bad = filled(contact_form(context, METADATA), name="", emails="not an address")
    assert contact_draft(bad, METADATA) is None
    assert {f.name for f in bad.fields if f.error} == {"name", "emails"}


def test_values_are_shown_as_text():
    assert shown_value([{"enum_id": 705379}], PRODUCT) == "Pro"
    assert shown_value([{"value": "ads"}, {"value": "web"}]) == "ads, web"
    assert shown_value("plain") == "plain"
    assert shown_value(None) == ""
