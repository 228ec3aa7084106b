"""The answer to chat_accepted/chat_updated that Jivo shows to the agent."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from pontes.plugin import Contact, Deal, DealStatus
from pontes_jivo.replies import agent_panel_reply
from pontes_jivo.sandbox.replies import judge

DEALS = [
    Deal(title="Plano Pro anual", stage="Proposta", amount=Decimal("1500"), currency="BRL",
         refs={"crm": "48213"}),
    Deal(title=None, pipeline="Renovações", refs={"crm": "48214"}),
    Deal(title="Frota extra", status=DealStatus.won, amount=Decimal("99.9"), refs={"crm": "1"}),
]


def test_deals_become_panel_lines_with_links():
    reply = agent_panel_reply(
        deals=DEALS,
        crm_link="https://acme.example-crm.com/contacts/77",
        deal_link=lambda deal: f"https://acme.example-crm.com/deals/{deal.ref('crm')}",
    )
    assert reply == {
        "result": "ok",
        "custom_data": [
            {"title": "Plano Pro anual", "content": "Proposta · 1500.00 BRL",
             "link": "https://acme.example-crm.com/deals/48213"},
            {"title": "Deal", "content": "Renovações",
             "link": "https://acme.example-crm.com/deals/48214"},
            {"title": "Frota extra", "content": "won · 99.90",
             "link": "https://acme.example-crm.com/deals/1"},
        ],
        "crm_link": "https://acme.example-crm.com/contacts/77",
    }


def test_nothing_to_show_is_still_ok():
    assert agent_panel_reply() == {"result": "ok"}
    assert agent_panel_reply(deals=[Deal()]) == {
        "result": "ok", "custom_data": [{"title": "Deal", "content": "open"}]}


def test_the_list_is_limited():
    reply = agent_panel_reply(deals=[Deal(title=str(n)) for n in range(30)], limit=2)
    assert [line["title"] for line in reply["custom_data"]] == ["0", "1"]
    assert "custom_data" not in agent_panel_reply(deals=DEALS, limit=0)
    with pytest.raises(ValueError, match="limit"):
        agent_panel_reply(deals=DEALS, limit=-1)


def test_contact_info_needs_a_name():
    contact = Contact(name="Ana Souza", phones=["(11) 98765-4321"], emails=["Ana@Example.com"])
    reply = agent_panel_reply(contact_info=contact, enable_assign=True)
    assert reply["contact_info"] == {"name": "Ana Souza", "phone": "+5511987654321",
                                     "email": "ana@example.com"}
    assert reply["enable_assign"] is True
    nameless = agent_panel_reply(contact_info=Contact(emails=["x@example.com"]))
    assert "contact_info" not in nameless
    assert "enable_assign" not in nameless


def test_jivo_shows_the_reply_to_the_agent():
    reply = agent_panel_reply(deals=DEALS[:1], crm_link="https://crm.example/c/1",
                              contact_info=Contact(name="Ana"), enable_assign=False)
    verdict = judge("chat_accepted", 200, json.dumps(reply), None)
    assert verdict.ok and verdict.problems == []
    assert verdict.panel == {k: v for k, v in reply.items() if k != "result"}
