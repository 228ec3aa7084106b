"""Seed 003's amoCRM block in the Usedesk ticket card, end to end over loopback: the
sandbox's card posts to the block, the block answers a frame of the pontes panel, and the
panel's pages read and write the CRM sandbox (amoCRM, and Ploomes for a CRM with fewer
capabilities). The same walk in a browser is in ``test_seed003_panel_browser.py``."""

from __future__ import annotations

import re
import uuid

import pytest
from e2e_support import ploomes_insert
from panel_support import (
    add_block,
    amocrm_contact,
    amocrm_notes,
    amocrm_records,
    amocrm_token,
    form_of,
    new_ticket,
    open_block,
    panel_client,
    with_context,
)
from pontes.testing.stack import Stack
from pontes_amocrm.sandbox.state import FIRST_STATUS_ID, PIPELINE_ID, WORKING_STATUS_ID
from pontes_demo import steps

pytestmark = pytest.mark.slow

PRODUCT_FIELD, BASIC = "1372537", "705377"
CONNECTIONS = {"usedesk": ("usedesk", {}), "amocrm": ("amocrm", {}),
               "ploomes": ("ploomes", {})}
INTEGRATIONS = {
    "amo-block": {"recipe": "crm_panel", "helpdesk": "usedesk", "crm": "amocrm"},
    "ploomes-block": {"recipe": "crm_panel", "helpdesk": "usedesk", "crm": "ploomes"},
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack.running(tmp_path_factory.mktemp("seed003-panel"), connections=CONNECTIONS,
                       integrations=INTEGRATIONS,
                       sandbox_options={"ploomes": {"requests_per_minute": 1200},
                                        "amocrm": {"requests_per_second": 50}}) as running:
        add_block(running, "amo-block", "amo")
        add_block(running, "amo-block", "amo-ru", language="ru")
        add_block(running, "ploomes-block", "ploomes")
        yield running


def unique_email(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}@example.org"


def unique_phone() -> str:
    """A Russian mobile number no other test uses, in E.164."""
    return f"+7999{uuid.uuid4().int % 10**7:07d}"


def test_no_contact_found_offers_a_prefilled_create_that_links_the_new_contact(stack):
    email, phone = unique_email("olga"), unique_phone()
    ticket = new_ticket(stack, "Olga Smirnova", email, f"{phone[:2]} {phone[2:5]} {phone[5:]}")
    url = open_block(stack, ticket, "amo")
    with panel_client(url) as http:
        card = http.get(url)
        assert card.status_code == 200
        assert "There is no data on this client in amoCRM yet." in card.text
        form = http.get(with_context(url, "/contacts/new")).text
        assert 'name="name" type="text" value="Olga Smirnova"' in form
        assert f'value="{email}"' in form and f'value="{phone}"' in form
        action, hidden = form_of(form, "contact-form")

        refused = http.post(action, data={"ctx": hidden["ctx"], "name": "Olga Smirnova",
                                          "emails": email})
        assert refused.status_code == 403 and "CSRF" in refused.text
        assert not [c for c in amocrm_records(stack, "contacts") if c["name"] == "Olga Smirnova"]

        created = http.post(action, data={**hidden, "name": "Olga Smirnova", "emails": email,
                                          "phones": phone})
        assert created.status_code == 303
        (contact,) = [c for c in amocrm_records(stack, "contacts")
                      if c["name"] == "Olga Smirnova"]
        values = {f["field_code"]: [v["value"] for v in f["values"]]
                  for f in contact["custom_fields_values"]}
        assert values["EMAIL"] == [email] and values["PHONE"] == [phone]
        after = http.get(created.headers["location"]).text
        assert "Linked to this client." in after
        assert f'data-contact="{contact["id"]}"' in after


def test_several_contacts_are_listed_with_link_buttons_and_after_linking_only_one_shows(stack):
    email, phone = unique_email("ivan"), unique_phone()
    first = amocrm_contact(stack, "Ivan (shop)", email=email)
    second = amocrm_contact(stack, "Ivan (phone)", phone=phone)
    ticket = new_ticket(stack, "Ivan Ivanov", email, phone)
    url = open_block(stack, ticket, "amo")
    with panel_client(url) as http:
        card = http.get(url).text
        assert f'data-contact="{first}"' in card and f'data-contact="{second}"' in card
        assert card.count('class="link-form"') == 2
        link = [form_of(part, "link-form") for part in card.split('<li class="contact"')[1:]
                if f'data-contact="{second}"' in part][0]
        linked = http.post(link[0], data=link[1])
        assert linked.status_code == 303
        after = http.get(url).text
        assert f'data-contact="{second}"' in after and f'data-contact="{first}"' not in after
        assert "Linked to this client." in after

    reopened = open_block(stack, ticket, "amo")
    with panel_client(reopened) as http:
        again = http.get(reopened).text
        assert f'data-contact="{second}"' in again and f'data-contact="{first}"' not in again


def test_a_deal_is_created_with_the_required_fields_then_opened_and_commented(stack):
    email = unique_email("anna")
    contact = amocrm_contact(stack, "Anna K", email=email)
    url = open_block(stack, new_ticket(stack, "Anna K", email), "amo")
    with panel_client(url) as http:
        form = http.get(with_context(url, "/deals/new", contact=str(contact))).text
        assert f'<select id="f-field_{PRODUCT_FIELD}"' in form
        assert f'<option value="{BASIC}">Basic</option>' in form
        assert "Required in: Negotiation" in form
        action, hidden = form_of(form, "deal-form")
        negotiation = f"{PIPELINE_ID}:{WORKING_STATUS_ID}"

        missing = http.post(action, data={**hidden, "title": "Pro upgrade", "amount": "150",
                                          "stage": negotiation})
        assert missing.status_code == 422
        assert 'data-field="field_1372537"' in missing.text and "Required." in missing.text
        assert not [lead for lead in amocrm_records(stack, "leads")
                    if lead["name"] == "Pro upgrade"]

        created = http.post(action, data={**hidden, "title": "Pro upgrade", "amount": "150",
                                          "stage": negotiation, f"field_{PRODUCT_FIELD}": BASIC})
        assert created.status_code == 303
        (lead,) = [lead for lead in amocrm_records(stack, "leads") if lead["name"] == "Pro upgrade"]
        assert (lead["price"], lead["pipeline_id"], lead["status_id"]) == (
            150, PIPELINE_ID, WORKING_STATUS_ID)
        product = [[value["enum_id"] for value in field["values"]]
                   for field in lead["custom_fields_values"]
                   if field["field_id"] == int(PRODUCT_FIELD)]
        assert product == [[int(BASIC)]]
        assert [c["id"] for c in lead["_embedded"]["contacts"]] == [contact]

        deal_page = http.get(created.headers["location"]).text
        assert '<h2 class="deal-title">Pro upgrade</h2>' in deal_page
        assert '<td class="deal-stage">Negotiation</td>' in deal_page
        assert 'class="feed-entry"' in deal_page
        action, hidden = form_of(deal_page, "comment-form")
        posted = http.post(action, data={**hidden, "text": "Called back, wants Pro"})
        assert posted.status_code == 303
        assert [n["params"]["text"].splitlines()[0] for n in amocrm_notes(stack, lead["id"])] \
            == ["Called back, wants Pro"]
        assert "Called back, wants Pro" in http.get(posted.headers["location"]).text


def test_the_gear_chooses_the_deal_fields_and_the_choice_persists_for_the_integration(stack):
    email = unique_email("boris")
    contact = amocrm_contact(stack, "Boris", email=email)
    url = open_block(stack, new_ticket(stack, "Boris", email), "amo")
    with panel_client(url) as http:
        action, hidden = form_of(http.get(with_context(url, "/deals/new",
                                                        contact=str(contact))).text, "deal-form")
        assert http.post(action, data={**hidden, "title": "Basic plan",
                                       "stage": f"{PIPELINE_ID}:{FIRST_STATUS_ID}",
                                       f"field_{PRODUCT_FIELD}": BASIC}).status_code == 303
        deals = http.get(with_context(url, f"/contacts/{contact}/deals")).text
        assert "Basic plan" in deals and "<th>Product</th>" not in deals
        settings = http.get(with_context(url, "/settings")).text
        assert f'value="{PRODUCT_FIELD}"> Product' in settings
        action, hidden = form_of(settings, "settings-form")
        assert http.post(action, data={**hidden, "field": [PRODUCT_FIELD, "no-such"]}
                         ).status_code == 303

    other = open_block(stack, new_ticket(stack, "Boris", email), "amo")
    with panel_client(other) as http:
        deals = http.get(with_context(other, f"/contacts/{contact}/deals")).text
        assert "<th>Product</th>" in deals
        assert f'<td data-field="{PRODUCT_FIELD}">Basic</td>' in deals


def test_a_panel_cannot_reach_another_clients_records_or_be_forged(stack):
    mine, theirs = unique_email("mine"), unique_email("theirs")
    amocrm_contact(stack, "Mine", email=mine)
    other = amocrm_contact(stack, "Theirs", email=theirs)
    url = open_block(stack, new_ticket(stack, "Mine", mine), "amo")
    with panel_client(url) as http:
        assert http.get(with_context(url, f"/contacts/{other}/deals")).status_code == 403
        card = http.get(url).text
        (_, hidden) = form_of(http.get(with_context(url, "/contacts/new")).text, "contact-form")
        refused = http.post(with_context(url, f"/contacts/{other}/link"), data=hidden)
        assert refused.status_code == 403
        assert "is not one of this ticket's client's" in refused.text
        assert "Mine" in card
        forged = re.sub(r"ctx=([A-Za-z0-9_-]{10})", lambda m: "ctx=" + m.group(1)[::-1], url)
        assert http.get(forged).status_code == 403
        other_integration = url.replace("/panels/amo-block", "/panels/ploomes-block")
        assert http.get(other_integration).status_code == 403
        assert http.get(url.replace("/panels/amo-block", "/panels/nothing")).status_code == 404


def test_a_crm_that_is_down_shows_an_error_and_a_retry_that_works_once_it_is_back(stack):
    email = unique_email("down")
    amocrm_contact(stack, "Down Town", email=email)
    url = open_block(stack, new_ticket(stack, "Down Town", email), "amo")
    with stack.sandbox("amocrm") as amocrm:
        amocrm.post("/_sandbox/faults", json={"path": "/api/v4/contacts", "status": 503,
                                              "count": 20}).raise_for_status()
        with panel_client(url) as http:
            down = http.get(url)
            assert down.status_code == 503
            assert "amoCRM is not answering right now." in down.text
            assert "Traceback" not in down.text
            retry = re.search(r'<a class="button retry" href="([^"]+)"', down.text)
            assert retry
            amocrm.delete("/_sandbox/faults").raise_for_status()
            back = http.get(retry.group(1).replace("&amp;", "&"))
            assert back.status_code == 200 and "Down Town" in back.text


def test_a_rate_limited_crm_says_so_and_offers_a_retry(stack):
    email = unique_email("busy")
    amocrm_contact(stack, "Busy Bee", email=email)
    url = open_block(stack, new_ticket(stack, "Busy Bee", email), "amo")
    with stack.sandbox("amocrm") as amocrm:
        amocrm.post("/_sandbox/faults", json={"path": "/api/v4/contacts", "status": 429,
                                              "count": 20}).raise_for_status()
        try:
            with panel_client(url) as http:
                limited = http.get(url)
        finally:
            amocrm.delete("/_sandbox/faults").raise_for_status()
    assert limited.status_code == 503
    assert "amoCRM is limiting how fast pontes may call it." in limited.text
    assert 'class="button retry"' in limited.text


def test_a_crm_refusal_is_shown_on_the_form_without_any_secret(stack):
    email = unique_email("secret")
    contact = amocrm_contact(stack, "Sec Ret", email=email)
    url = open_block(stack, new_ticket(stack, "Sec Ret", email), "amo")
    secrets = [amocrm_token(stack),
               stack.runtime.connections["usedesk"].settings.api_token.get_secret_value(),
               stack.hook_url("amo-block", "helpdesk").rsplit("/", 1)[1]]
    with panel_client(url) as http:
        pages = [http.get(url).text, http.get(with_context(url, "/contacts/new")).text]
        form = http.get(with_context(url, "/deals/new", contact=str(contact))).text
        action, hidden = form_of(form, "deal-form")
        with stack.sandbox("amocrm") as amocrm:
            amocrm.post("/_sandbox/faults", json={
                "path": "/api/v4/leads", "method": "POST", "status": 400,
                "body": {"title": "Bad Request", "detail": f"token {secrets[0]} refused"},
            }).raise_for_status()
            refused = http.post(action, data={**hidden, "title": "Refused deal",
                                              "stage": f"{PIPELINE_ID}:{FIRST_STATUS_ID}"})
        pages.append(refused.text)
    assert refused.status_code == 422 and "token *** refused" in refused.text
    assert 'class="error" role="alert"' in refused.text and 'value="Refused deal"' in refused.text
    for page in pages:
        assert not [secret for secret in secrets if secret in page]


def test_the_block_speaks_the_language_its_parameter_names(stack):
    url = open_block(stack, new_ticket(stack, "Yuri", unique_email("yuri")), "amo-ru")
    with panel_client(url) as http:
        card = http.get(url).text
    assert '<html lang="ru">' in card
    assert "В amoCRM пока нет данных об этом клиенте." in card
    assert "Создать контакт в amoCRM" in card


def test_ploomes_gets_the_panel_without_the_features_it_lacks(stack):
    email = unique_email("pedro")
    [person] = ploomes_insert(stack, "Contacts", [{"Name": "Pedro Alves", "TypeId": 2,
                                                  "Email": email}])
    url = open_block(stack, new_ticket(stack, "Pedro Alves", email), "ploomes")
    with panel_client(url) as http:
        card = http.get(url).text
        assert f'data-contact="{person}"' in card
        assert 'class="button secondary gear"' not in card
        hand_made = http.get(with_context(url, "/settings"))
        assert hand_made.status_code == 404 and "Ploomes cannot do this" in hand_made.text
        form = http.get(with_context(url, "/deals/new", contact=str(person))).text
        assert "field_" not in form
        action, hidden = form_of(form, "deal-form")
        stage = re.search(r'<option value="(\d+:\d+)"', form).group(1)
        created = http.post(action, data={**hidden, "title": "Ploomes deal", "amount": "10",
                                          "stage": stage})
        assert created.status_code == 303, created.text
        deal_page = http.get(created.headers["location"]).text
        assert "Ploomes deal" in deal_page
        assert 'class="feed"' not in deal_page and "<h3>Comments</h3>" in deal_page
        assert 'class="comment"' not in deal_page  # Ploomes' plugin cannot list them
        action, hidden = form_of(deal_page, "comment-form")
        assert http.post(action, data={**hidden, "text": "Asked for a quote"}
                         ).status_code == 303
    deal_id = int(created.headers["location"].split("/deals/")[1].split("?")[0])
    [note] = [row for row in steps.ploomes_records(stack, "InteractionRecords")
              if row.get("DealId") == deal_id]
    assert note["Content"].startswith("Asked for a quote")
