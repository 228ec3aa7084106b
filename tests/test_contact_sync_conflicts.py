"""``contact_sync``'s conflict policy and deletions, run in this process against the Bigin
and Zoho Desk sandboxes with a real store: both sides edited before either notification
is delivered, and a record gone from its vendor."""

from __future__ import annotations

import pytest
from contact_sync_support import Vendors


def linked_person(vendors: Vendors, email: str) -> tuple[str, str]:
    """A person made in Bigin and copied to Zoho Desk; their ids there and here."""
    bigin_id = vendors.create("crm", "Ana", "Base", email)
    vendors.deliver("crm", bigin_id)
    (desk_id,) = [i for i in vendors.ids("helpdesk")
                  if vendors.desk.get(f"/api/v1/contacts/{i}").json()["email"] == email]
    vendors.deliver("helpdesk", desk_id)  # the echo of the copy
    return bigin_id, desk_id


@pytest.fixture(params=["crm", "helpdesk"])
def policy(request):
    return request.param


@pytest.fixture
def vendors(tmp_path, policy):
    found = Vendors(tmp_path, conflict=policy, on_delete="unlink")
    yield found
    found.close()


@pytest.mark.parametrize("first", ["crm", "helpdesk"])
def test_an_edit_on_both_sides_ends_with_the_policys_value_and_the_loser_in_the_notes(
        vendors, policy, first):
    bigin_id, desk_id = linked_person(vendors, "both@edit.example")
    ids = {"crm": bigin_id, "helpdesk": desk_id}
    vendors.edit("crm", bigin_id, "last", "Do CRM")
    vendors.edit("helpdesk", desk_id, "last", "Do Desk")
    winner, loser = ("Do CRM", "Do Desk") if policy == "crm" else ("Do Desk", "Do CRM")
    _summary, notes = vendors.deliver(first, ids[first])
    assert any(f"{loser!r} lost to {winner!r}" in note for note in notes), notes
    second = "helpdesk" if first == "crm" else "crm"
    written = vendors.pontes_writes()
    vendors.deliver(second, ids[second])
    vendors.deliver(first, ids[first])
    assert vendors.pontes_writes() == written
    assert vendors.people("crm")["both@edit.example"] == ("Ana", winner)
    assert vendors.people("helpdesk")["both@edit.example"] == ("Ana", winner)


def test_edits_to_different_fields_on_both_sides_are_both_kept(vendors):
    bigin_id, desk_id = linked_person(vendors, "two@fields.example")
    vendors.edit("crm", bigin_id, "first", "Bia")
    vendors.edit("helpdesk", desk_id, "last", "Nova")
    vendors.deliver("helpdesk", desk_id)
    vendors.deliver("crm", bigin_id)
    assert vendors.people("crm")["two@fields.example"] == ("Bia", "Nova")
    assert vendors.people("helpdesk")["two@fields.example"] == ("Bia", "Nova")


def test_a_record_gone_from_its_vendor_is_recorded_not_copied_and_unlinked(vendors):
    """Neither sandbox deletes contacts, so the gone record is one whose link outlived it:
    its notification finds nothing at the vendor (404), as after a deletion."""
    bigin_id = vendors.create("crm", "Ana", "Base", "gone@desk.example")
    gone = "900000000009999999"
    vendors.store.links.link("contact", {"bigin": bigin_id, "desk": gone})
    written = vendors.pontes_writes()
    summary, notes = vendors.deliver("helpdesk", gone)
    assert f"contact {gone} was deleted in desk; the deletion is not copied" in notes
    assert "unlinked" in summary
    assert vendors.pontes_writes() == written
    assert "gone@desk.example" in vendors.people("crm")
    assert vendors.store.links.lookup("contact", "desk", gone) is None
    assert vendors.store.links.lookup("contact", "bigin", bigin_id) is not None


def test_newest_lets_the_later_edit_win_even_against_the_crm(tmp_path):
    """Zoho Desk's clock is moved an hour on, so its edit is the later one by the vendors'
    modified times (on a tie the CRM would win)."""
    vendors = Vendors(tmp_path)  # conflict: newest, the default
    try:
        bigin_id, desk_id = linked_person(vendors, "newest@edit.example")
        vendors.edit("crm", bigin_id, "last", "CRM Antes")
        vendors.desk.post("/_sandbox/clock", json={"advance": 3600}).raise_for_status()
        vendors.edit("helpdesk", desk_id, "last", "Desk Depois")
        _summary, notes = vendors.deliver("crm", bigin_id)
        assert any("'CRM Antes' lost to 'Desk Depois'" in note for note in notes), notes
        vendors.deliver("helpdesk", desk_id)
        assert vendors.people("crm")["newest@edit.example"] == ("Ana", "Desk Depois")
        assert vendors.people("helpdesk")["newest@edit.example"] == ("Ana", "Desk Depois")
    finally:
        vendors.close()
