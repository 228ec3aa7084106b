"""How a person's whole name and its first and last names relate: the canonical rule
(``pontes.models``) and contact_sync's one name value (``contact_sync.fields``)."""

from __future__ import annotations

import json

import pytest
from pontes.models import Contact, join_name, split_name
from pontes.recipes.contact_sync.fields import (
    WholeName,
    flatten,
    one_name,
    synced_fields,
    unflatten,
)


@pytest.mark.parametrize(("first", "last", "whole"), [
    ("Ana", "Lima", "Ana Lima"),
    ("Ana Maria", "de Oliveira", "Ana Maria de Oliveira"),
    (None, "Lima", "Lima"),
    (" Ana ", "", "Ana"),
    (None, None, None),
])
def test_first_and_last_names_join_into_the_whole_name(first, last, whole):
    assert join_name(first, last) == whole


@pytest.mark.parametrize(("whole", "parts"), [
    ("Ana Lima", ("Ana", "Lima")),
    ("Ana Maria  Lima ", ("Ana Maria", "Lima")),
    ("Madonna", (None, "Madonna")),
    ("   ", (None, None)),
    (None, (None, None)),
])
def test_a_whole_name_splits_at_its_last_word(whole, parts):
    assert split_name(whole) == parts


def test_name_parts_are_the_given_ones_else_the_whole_name_split():
    assert Contact(name="Ana Lima", first_name="Ana", last_name="de Lima").name_parts() \
        == ("Ana", "de Lima")
    assert Contact(name="Ana Maria Lima").name_parts() == ("Ana Maria", "Lima")
    assert Contact().name_parts() == (None, None)


def names(contact: Contact) -> tuple[str | None, str | None, str | None]:
    return contact.name, contact.first_name, contact.last_name


def test_a_whole_name_changed_alone_is_split_for_the_sides_that_store_parts():
    changes = Contact(name="Bruna Reis").whole_names()
    assert names(changes) == ("Bruna Reis", "Bruna", "Reis")
    assert {"name", "first_name", "last_name"} <= changes.model_fields_set


def test_a_first_name_changed_alone_keeps_the_current_last_name():
    current = Contact(name="Caio Reis", first_name="Caio", last_name="Reis")
    changes = Contact(first_name="Cauã")
    assert changes.changes_one_name_part()
    assert names(changes.whole_names(current)) == ("Cauã Reis", "Cauã", "Reis")


def test_a_last_name_changed_alone_keeps_the_first_name_of_a_whole_name():
    current = Contact(name="Caio Reis")
    assert names(Contact(last_name="Reis Lima").whole_names(current)) \
        == ("Caio Reis Lima", "Caio", "Reis Lima")


def test_both_parts_changed_need_no_current_record():
    changes = Contact(first_name="Ana", last_name="Lima")
    assert not changes.changes_one_name_part()
    assert names(changes.whole_names()) == ("Ana Lima", "Ana", "Lima")


def test_changes_without_a_name_or_with_all_three_are_left_as_they_are():
    phones = Contact(phones=["+5511987654321"])
    assert not phones.changes_one_name_part()
    assert phones.whole_names(Contact(name="Ana Lima")) is phones
    assert phones.whole_names().model_fields_set == {"phones"}
    odd = Contact(name="Ana L.", first_name="Ana", last_name="Lima")
    assert odd.whole_names() is odd


def test_contact_sync_compares_a_persons_name_as_one_whole_value():
    whole = flatten(Contact(name="Ana de Oliveira"), ["name"])
    parts = flatten(Contact(first_name="Ana", last_name="de Oliveira"), ["name"])
    assert whole == parts == {"name": "Ana de Oliveira"}
    assert flatten(Contact(emails=["a@example.com"]), ["name"]) == {"name": None}
    assert json.loads(json.dumps(parts)) == {"name": "Ana de Oliveira"}


def test_contact_sync_syncs_the_name_and_its_parts_by_default():
    assert synced_fields(Contact, ["custom.Title"]) \
        == ["name", "first_name", "last_name", "emails", "phones", "custom.Title"]


def values(contact: Contact) -> dict:
    return flatten(contact, ["name", "first_name", "last_name", "emails"])


def test_between_two_records_with_name_parts_each_part_is_compared_on_its_own():
    wanted = values(Contact(first_name="Bia", last_name="Base", emails=["b@x.example"]))
    current = values(Contact(first_name="Ana", last_name="Pausada"))
    assert one_name(wanted, current) == {"first_name": "Bia", "last_name": "Base",
                                         "emails": ["b@x.example"]}


@pytest.mark.parametrize(("source", "target"), [
    (Contact(name="Bia Base"), Contact(first_name="Ana", last_name="Base")),
    (Contact(first_name="Bia", last_name="Base"), Contact(name="Ana Base")),
    (Contact(name="Bia Base"), Contact(name="Ana Base")),
])
def test_with_a_side_keeping_only_a_whole_name_the_whole_name_is_compared(source, target):
    assert one_name(values(source), values(target)) == {"name": "Bia Base", "emails": None}


def test_values_without_name_parts_are_compared_as_they_are():
    company = {"name": "Acme", "phones": None}
    assert one_name(company, {"name": "Acme Ltda", "phones": None}) is company


def test_a_written_name_carries_the_sources_own_parts():
    source = Contact(name="Ana de Oliveira", first_name="Ana", last_name="de Oliveira")
    written = unflatten(Contact, flatten(source, ["name"]))
    assert names(written) == ("Ana de Oliveira", "Ana", "de Oliveira")
    assert written.model_fields_set == {"name", "first_name", "last_name"}


def test_a_written_name_is_split_when_the_source_has_no_parts_that_make_it():
    from_whole = unflatten(Contact, flatten(Contact(name="Bia Prado Lima"), ["name"]))
    assert names(from_whole) == ("Bia Prado Lima", "Bia Prado", "Lima")
    stale = Contact(name="Bia Lima", first_name="Bia", last_name="Prado")
    assert names(unflatten(Contact, flatten(stale, ["name"]))) == ("Bia Lima", "Bia", "Lima")
    agreed = unflatten(Contact, {"name": "Caio Reis"})
    assert names(agreed) == ("Caio Reis", "Caio", "Reis")


def test_a_draft_with_the_name_and_its_parts_keeps_the_parts_given():
    draft = unflatten(Contact, {"name": WholeName(Contact(name="Ana Lima")),
                                "first_name": "Ana", "last_name": "de Lima"})
    assert names(draft) == ("Ana Lima", "Ana", "de Lima")


def test_a_whole_name_is_text_carrying_the_parts_it_was_read_with():
    name = WholeName(Contact(first_name="Ana", last_name="de Oliveira"))
    assert (name, name.first, name.last) == ("Ana de Oliveira", "Ana", "de Oliveira")
    assert isinstance(name, str)
