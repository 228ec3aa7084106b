"""``pontes demo --no-wait`` plays every seed's story against the sandboxes and a real
server, as a person runs it after cloning: each story ends the way the seed says, and
seed 003's ticket card, whose address the demo prints, loads the CRM block."""

from __future__ import annotations

import re
import subprocess
import sys

import httpx
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_output() -> str:
    result = subprocess.run([sys.executable, "-m", "pontes_demo", "--no-wait"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def test_the_first_three_stories_are_played(demo_output):
    assert "Ploomes history record:" in demo_output
    assert re.search(r"Ploomes deal \d+ is now won", demo_output)
    assert "saved the transcript as interaction" in demo_output


def test_seed003_logs_in_to_amocrm_and_a_rule_that_fires_twice_makes_one_deal(demo_output):
    story = demo_output[demo_output.index("4. Usedesk -> amoCRM"):]
    assert "Allow -> pontes: Logged in" in story
    assert "the rule fires twice, pontes answers 202 accepted, 200 duplicate" in story
    assert re.search(r"pontes: ticket 153341111 in usedesk: deal \d+ created in amocrm for "
                     r"contact \d+; note \d+ added", story)
    assert len(re.findall(r"amoCRM lead \d+: 'Order #1042: upgrade to Pro'", story)) == 1


def test_the_printed_ticket_card_is_served_by_the_sandbox_while_the_demo_runs(demo_output):
    """The demo's sandboxes stop with ``--no-wait``, so the address is checked for its
    shape here; the card itself loads its block in the story."""
    card = re.search(r"Open Ivan's ticket card in a browser: (\S+)", demo_output).group(1)
    assert httpx.URL(card).path == "/_sandbox/tickets/153341111/card"
    if "dynamic block 'amoCRM'" in demo_output:
        assert "loads its block 'amoCRM': it answers" in demo_output


def test_seed004_prints_the_bigin_record_page_whose_tab_lists_the_ticket(demo_output):
    story = demo_output[demo_output.index("5. Bigin's Tickets tab with Zoho Desk"):]
    assert re.search(r"The record page's Tickets tab lists ticket \d+", story)
    page = re.search(r"Open Rita's record page, tab Tickets: (\S+)", story).group(1)
    assert re.fullmatch(r"/bigin/org\d+/contacts/\d+", httpx.URL(page).path)


def test_seed004_syncs_an_edit_to_bigin_and_drops_bigins_notification_of_that_write(
        demo_output):
    story = demo_output[demo_output.index("6. Contacts kept the same in Bigin and Zoho Desk"):]
    assert re.search(r"pontes copies him to Zoho Desk \(contact \d+\)", story)
    assert "pontes writes it to Bigin: Last_Name Campos Lima" in story
    assert "Bigin notifies pontes of that write (affected fields: Last_Name)" in story
    assert ("finds Zoho Desk already agrees and drops the echo (0 writes back to Zoho Desk)"
            in story)
