"""``GET /<module>/search`` as Bigin answers it: exactly one of ``criteria``, ``email``,
``phone`` or ``word``.

``criteria`` is ``(Field:operator:value)``, several joined by ``and`` or ``or``
(``((Last_Name:equals:Ng)and(Email:starts_with:d))``); operators ``equals`` and
``starts_with``; ``\\`` escapes ``(``, ``)`` and ``,`` in a value; a lookup is searched
by ``Field.id``. ``Sub_Pipeline`` cannot be searched by criteria. ``email`` matches the
e-mail fields without case, ``phone`` the phone fields by their digits, ``word`` any
text field containing it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Matcher = Callable[[dict[str, Any]], bool]
_CONDITION = re.compile(r"\(([A-Za-z0-9_.$]+):(equals|starts_with):((?:\\.|[^\\()])*)\)")
UNSEARCHABLE = ("Sub_Pipeline",)
MIN_PHONE_DIGITS = 8


class CriteriaError(ValueError):
    """A ``criteria`` Bigin would refuse (the message says why)."""


def _digits(value: Any) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def _value_of(record: dict[str, Any], field: str) -> Any:
    name, _, part = field.partition(".")
    value = record.get(name)
    if part and isinstance(value, dict):
        return value.get(part)
    if isinstance(value, dict):
        return value.get("name")
    return value


def _condition(field: str, operator: str, wanted: str) -> Matcher:
    if field.split(".")[0] in UNSEARCHABLE:
        raise CriteriaError(f"{field} cannot be used in criteria; search it with word")
    wanted = re.sub(r"\\(.)", r"\1", wanted).casefold()

    def matches(record: dict[str, Any]) -> bool:
        value = str(_value_of(record, field) or "").casefold()
        return value == wanted if operator == "equals" else value.startswith(wanted)

    return matches


def criteria_matcher(criteria: str) -> Matcher:
    """The test a record must pass for ``criteria``; ``CriteriaError`` when Bigin would
    refuse it."""
    text = criteria.strip()
    conditions = [(m.start(), m.end(), _condition(*m.groups()))
                  for m in _CONDITION.finditer(text)]
    if not conditions:
        raise CriteriaError(f"invalid criteria {criteria!r}")
    joins = {re.sub(r"[()\s]", "", text[end:start]).lower()
             for (_, end, _), (start, _, _) in zip(conditions, conditions[1:], strict=False)}
    if not joins <= {"and", "or"} or len(joins) > 1:
        raise CriteriaError(f"invalid criteria {criteria!r}: join conditions with and or or")
    tests = [test for _, _, test in conditions]
    if joins == {"or"}:
        return lambda record: any(test(record) for test in tests)
    return lambda record: all(test(record) for test in tests)


def email_matcher(email: str) -> Matcher:
    """Records with this e-mail in ``Email`` or ``Secondary_Email``, without case."""
    wanted = email.strip().casefold()
    return lambda record: any(str(record.get(f) or "").strip().casefold() == wanted
                              for f in ("Email", "Secondary_Email"))


def phone_matcher(phone: str) -> Matcher:
    """Records with this phone in ``Phone`` or ``Mobile``, compared by digits (the one
    ending the other, from eight digits)."""
    wanted = _digits(phone)

    def matches(record: dict[str, Any]) -> bool:
        for field in ("Phone", "Mobile"):
            have = _digits(record.get(field))
            if have and wanted and min(len(have), len(wanted)) >= MIN_PHONE_DIGITS and (
                    have.endswith(wanted) or wanted.endswith(have)):
                return True
        return False

    return matches


def word_matcher(word: str) -> Matcher:
    """Records with a text field containing ``word``, without case."""
    wanted = word.casefold()
    return lambda record: any(isinstance(v, str) and wanted in v.casefold()
                              for v in record.values())


MATCHERS: dict[str, Callable[[str], Matcher]] = {
    "criteria": criteria_matcher, "email": email_matcher, "phone": phone_matcher,
    "word": word_matcher}
