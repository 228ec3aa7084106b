"""The first of a loose search's hits that really matches (``pontes.matching``)."""

from __future__ import annotations

from pontes.matching import first_named, first_with_email, first_with_phone
from pontes.models import Company, Contact


def test_first_with_email_compares_without_letter_case_and_skips_near_misses():
    hits = [Contact(name="Near", emails=["ana@example.com.br"]),
            Contact(name="Ana", emails=["other@example.com", "Ana@Example.com"]),
            Contact(name="Second Ana", emails=["ana@example.com"])]
    assert first_with_email(hits, " ANA@example.COM ").name == "Ana"
    assert first_with_email(hits, "nobody@example.com") is None


def test_first_with_phone_compares_in_e164_however_the_number_was_typed():
    hits = [Company(name="Digits alike", phones=["+55 11 91234-5670"]),
            Company(name="Same number", phones=["(11) 91234-5678"])]
    assert first_with_phone(hits, "+5511912345678").name == "Same number"
    assert first_with_phone(hits, "11 91234 5678").name == "Same number"
    assert first_with_phone(hits, "+5511900000000") is None


def test_first_named_wants_the_whole_name_spaces_and_case_aside():
    hits = [Company(name="Acme Brasil"), Company(name=None), Company(name=" ACME ")]
    assert first_named(hits, "acme").name == " ACME "
    assert first_named(hits, "Acme Br") is None


def test_hits_are_read_only_up_to_the_first_match():
    read: list[str] = []

    def mapped(names):
        for name in names:
            read.append(name)
            yield Company(name=name)

    assert first_named(mapped(["a", "b", "c"]), "b").name == "b"
    assert read == ["a", "b"]
