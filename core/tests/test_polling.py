"""What a poller reads from a list sorted newest change first (``pontes.polling``)."""

from __future__ import annotations

import pytest
from pontes.polling import changed_since

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Pages:
    """Pages of ``(id, modified)`` rows, counting how many were read."""

    def __init__(self, *pages):
        self.pages, self.read = pages, 0

    async def __aiter__(self):
        for page in self.pages:
            self.read += 1
            yield list(page)


def at(row):
    return row[1]


async def test_the_rows_since_the_cursor_come_oldest_first_and_reading_stops_at_an_older_one():
    pages = Pages([("c", 9), ("b", 7)], [("a", 5), ("z", 2)], [("y", 1)])
    assert await changed_since(pages, 5, at) == [("a", 5), ("b", 7), ("c", 9)]
    assert pages.read == 2


async def test_a_row_without_a_time_is_passed_over_and_every_page_may_be_new():
    pages = Pages([("c", 9), ("no time", None)], [("b", 8)])
    assert await changed_since(pages, 5, at) == [("b", 8), ("c", 9)]
    assert pages.read == 2


async def test_nothing_changed_is_an_empty_list():
    assert await changed_since(Pages([("old", 1)]), 5, at) == []
    assert await changed_since(Pages(), 5, at) == []
