"""Plugins share the core's readers instead of copies of their own: vendor date-times go
through ``parse_vendor_datetime`` (the Movidesk sandbox, Ploomes), HTML through
``html_to_text`` (Ploomes)."""

import inspect
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from pontes.plugin import html_to_text, parse_vendor_datetime
from pontes_movidesk.sandbox import timefmt
from pontes_ploomes import dates, mappers

SPELLINGS = ["2024-03-10T14:22:31.1234567", "2024-03-10T14:22:31.123z", "2024-03-10T14:22:31Z",
             "2024-03-10T11:22:31-03:00", "2024-03-10T14:22:31", " 2024-03-10T14:22:31.5 "]


@pytest.mark.parametrize("module", [timefmt, dates])
def test_no_vendor_module_reads_iso_text_itself(module):
    assert "fromisoformat" not in inspect.getsource(module)


@pytest.mark.parametrize("text", SPELLINGS)
def test_the_movidesk_sandbox_reads_like_the_core(text):
    assert timefmt.parse_instant(text) == parse_vendor_datetime(text)


@pytest.mark.parametrize("text", SPELLINGS)
def test_ploomes_reads_like_the_core_in_brasilia_time(text):
    zone = ZoneInfo("America/Sao_Paulo")
    assert dates.parse_time(text) == parse_vendor_datetime(text, zone=zone)


def test_ploomes_keeps_reading_empty_and_broken_values_as_none():
    assert dates.parse_time("") is None and dates.parse_time(None) is None
    assert dates.parse_time("yesterday") is None and dates.parse_time(17) is None
    assert dates.parse_time("2024-03-10T09:00:00") == datetime(2024, 3, 10, 12, tzinfo=UTC)


def test_ploomes_reads_html_with_the_core_reader():
    assert mappers.html_to_text is html_to_text
