"""``contact.find_by_phone``: a person found by a phone typed in any of the usual ways,
compared in E.164, never a company or a near miss."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.anyio


def seed_person(sandbox, person_id: str, phone: str, person_type: int = 1) -> None:
    sandbox.control("POST", "/seed", {"persons": [
        {"id": person_id, "personType": person_type, "businessName": person_id.title(),
         "contacts": [{"contactType": "Telefone celular", "contact": phone,
                       "isDefault": True}]}]})


@pytest.mark.parametrize("typed", ["+5511987650001", "+55 11 98765-0001", "(11) 98765-0001",
                                   "11987650001"])
async def test_a_phone_typed_in_a_usual_way_is_found(conn, sandbox, typed):
    seed_person(sandbox, "cli-fone", typed)
    found = await conn.call("contact.find_by_phone", phone="(11) 98765-0001")
    assert found is not None and found.refs[conn.name] == "cli-fone"
    assert found.phones == ["+5511987650001"]


async def test_the_demo_phone_is_found_and_nothing_else_matches(conn):
    found = await conn.call("contact.find_by_phone", phone="+5511912345678")
    assert found is not None and found.refs[conn.name] == "cli-maria"
    assert await conn.call("contact.find_by_phone", phone="+5511912345679") is None


async def test_a_company_with_the_phone_is_not_a_person(conn, sandbox):
    seed_person(sandbox, "org-fone", "+55 11 98765-0002", person_type=2)
    assert await conn.call("contact.find_by_phone", phone="+5511987650002") is None
