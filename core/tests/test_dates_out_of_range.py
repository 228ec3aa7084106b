"""A date whose offset moves it past year 1 or 9999 once in UTC is ``DateOutOfRange`` (a
``TransformError``) naming the value, never an ``OverflowError`` that crashes whoever reads vendor dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pontes.mapping.values import DateOutOfRange, parse_datetime


@pytest.mark.parametrize("value", [
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=3))),
    datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-3))),
])
def test_a_moment_past_either_end_of_utc_is_a_transform_error(value):
    with pytest.raises(DateOutOfRange, match="is out of range once in UTC"):
        parse_datetime(value)


def test_a_naive_moment_in_a_zone_past_the_end_is_a_transform_error():
    with pytest.raises(DateOutOfRange, match="9999-12-31T23:00:00-05:00 is out of range"):
        parse_datetime("9999-12-31T23:00:00", zone=timezone(timedelta(hours=-5)))


def test_the_ends_themselves_are_read():
    assert parse_datetime("0001-01-01T05:00:00+05:00") == datetime(1, 1, 1, tzinfo=UTC)
    assert parse_datetime("9999-12-31T18:59:59-05:00").year == 9999
