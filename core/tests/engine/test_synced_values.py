"""The values linked records last agreed on (``contact_sync``'s memory), and unlinking."""

from __future__ import annotations

import asyncio

from pontes.store import StoreLinks


def test_agreed_values_are_kept_per_integration_link_and_connection(store):
    store.synced.remember("sync", "link-1", "desk", {"first_name": "Lia", "emails": ["l@x.io"]})
    store.synced.remember("sync", "link-1", "bigin", {"first_name": "Lia"})
    store.synced.remember("other", "link-1", "desk", {"first_name": "Ana"})
    assert store.synced.get("sync", "link-1", "desk") == {"first_name": "Lia",
                                                          "emails": ["l@x.io"]}
    assert store.synced.get("other", "link-1", "desk") == {"first_name": "Ana"}
    assert store.synced.get("sync", "link-2", "desk") == {}


def test_a_later_agreement_replaces_only_the_fields_it_names(store):
    store.synced.remember("sync", "link-1", "desk", {"first_name": "Lia", "last_name": "Um"})
    store.synced.remember("sync", "link-1", "desk", {"last_name": "Dois", "phones": None})
    assert store.synced.get("sync", "link-1", "desk") == {
        "first_name": "Lia", "last_name": "Dois", "phones": None}


def test_forgetting_a_link_drops_its_values_for_that_integration_only(store):
    store.synced.remember("sync", "link-1", "desk", {"first_name": "Lia"})
    store.synced.remember("other", "link-1", "desk", {"first_name": "Ana"})
    store.synced.forget("sync", "link-1")
    assert store.synced.get("sync", "link-1", "desk") == {}
    assert store.synced.get("other", "link-1", "desk") == {"first_name": "Ana"}


def test_unlinking_takes_one_record_out_of_its_group(store):
    group = store.links.link("contact", {"desk": "7", "bigin": "9"})
    store.links.unlink("contact", "desk", "7")
    assert store.links.lookup("contact", "desk", "7") is None
    assert store.links.lookup("contact", "bigin", "9") == {"bigin": "9", "id": group}


def test_the_recipes_view_of_the_store_reads_what_it_remembered(store):
    links = StoreLinks(store.links, store.run, store.synced)

    async def roundtrip() -> dict:
        await links.remember("sync", "link-1", "desk", {"first_name": "Lia"})
        return await links.synced("sync", "link-1", "desk")

    assert asyncio.run(roundtrip()) == {"first_name": "Lia"}
