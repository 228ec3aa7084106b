"""OData literals for the filters vendor clients build."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from pontes.odata import quote_literal


class Level(enum.IntEnum):
    HIGH = 3


@pytest.mark.parametrize("value, literal", [
    ("O'Brien", "'O''Brien'"),
    ("", "''"),
    ("it''s", "'it''''s'"),
    (None, "null"),
    (True, "true"),
    (False, "false"),
    (12, "12"),
    (-3, "-3"),
    (Level.HIGH, "3"),
    (Decimal("1.5"), "1.5"),
    (Decimal("1E+2"), "100"),
    (2.25, "2.25"),
    (datetime(2025, 3, 1, tzinfo=UTC), "2025-03-01T00:00:00Z"),
    (datetime(2025, 3, 1, 9, 30, 0, 120000, tzinfo=timezone(timedelta(hours=-3))),
     "2025-03-01T12:30:00.120000Z"),
    (date(2025, 3, 1), "2025-03-01"),
])
def test_literals(value, literal):
    assert quote_literal(value) == literal


@pytest.mark.parametrize("value", [datetime(2025, 3, 1), float("inf"), float("nan"),
                                   Decimal("NaN")])
def test_values_without_a_literal_meaning_are_refused(value):
    with pytest.raises(ValueError):
        quote_literal(value)


def test_other_types_are_refused():
    with pytest.raises(TypeError, match="list"):
        quote_literal(["a"])
