"""Picking, from what a vendor's search answered, the record that really matches.

Vendors search loosely: a phone by some of its digits, an e-mail in any of a record's
e-mail fields, a name by its words. So a plugin's ``<entity>.find_by_*`` compares every hit
again, canonically, and answers the first that matches. The hits are read in the order
given and mapped one by one, so a generator that maps a vendor's rows stops at the first
match.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from .models import Company, Contact, normalize_email, normalize_phone

Person = TypeVar("Person", Contact, Company)


def first_with_email(records: Iterable[Person], email: str) -> Person | None:
    """The first of ``records`` with ``email`` among its e-mails (without letter case)."""
    wanted = normalize_email(email)
    return next((record for record in records if wanted in record.emails), None)


def first_with_phone(records: Iterable[Person], phone: str) -> Person | None:
    """The first of ``records`` with ``phone`` among its phones, both in E.164."""
    wanted = normalize_phone(phone)
    return next((record for record in records if wanted in record.phones), None)


def first_named(records: Iterable[Company], name: str) -> Company | None:
    """The first of ``records`` named exactly ``name``, spaces around and letter case
    aside."""
    wanted = name.strip().casefold()
    return next((record for record in records
                 if (record.name or "").strip().casefold() == wanted), None)
