"""Log lines: one format for every logger, JSON with the event's fields, quiet libraries,
and lines that never break a progress bar."""

from __future__ import annotations

import io
import json
import logging

import pytest
from pontes import logs
from pontes.cli import main


@pytest.fixture
def stream():
    """The root logger configured by ``pontes.logs`` into a buffer; restored afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    quiet = {name: logging.getLogger(name).level for name in logs.QUIET_UNLESS_VERBOSE}
    yield io.StringIO()
    for handler in [h for h in root.handlers if h not in saved_handlers]:
        root.removeHandler(handler)
    root.setLevel(saved_level)
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)


def lines(buffer: io.StringIO) -> list[str]:
    return [line for line in buffer.getvalue().splitlines() if line.strip()]


def test_a_json_line_carries_the_running_events_integration_id_and_attempt(stream):
    logs.configure(log_format="json", stream=stream)
    with logs.event_context("support-history", 42, 3):
        logging.getLogger("pontes_movidesk.client").info("loaded ticket %s", "7")
    logging.getLogger("pontes.server").warning("outside any event")
    inside, outside = (json.loads(line) for line in lines(stream))
    assert inside["message"] == "loaded ticket 7"
    assert (inside["integration"], inside["event_id"], inside["attempt"]) == \
        ("support-history", 42, 3)
    assert inside["level"] == "INFO" and inside["logger"] == "pontes_movidesk.client"
    assert inside["time"].endswith("+00:00")
    assert outside["level"] == "WARNING" and "event_id" not in outside


def test_a_text_line_names_the_event_after_the_message(stream):
    logs.configure(log_format="text", stream=stream)
    with logs.event_context("support-history", 42, 1):
        logging.getLogger("pontes.runner").info("event 42 succeeded")
    (line,) = lines(stream)
    assert line.endswith(" INFO pontes.runner: event 42 succeeded "
                         "[integration=support-history event=42 attempt=1]")


def test_the_format_given_on_the_command_line_wins_over_the_configurations(stream):
    logs.configure(log_format="text", stream=stream)
    logs.use_config_format("json")
    logging.getLogger("pontes").info("still text")
    assert not lines(stream)[0].startswith("{")
    logs.configure(stream=stream)
    logs.use_config_format("json")
    logging.getLogger("pontes").info("now json")
    assert json.loads(lines(stream)[-1])["message"] == "now json"


def test_the_environment_chooses_the_format_too(stream, monkeypatch):
    monkeypatch.setenv("PONTES_LOG_FORMAT", "json")
    logs.configure(stream=stream)
    logging.getLogger("pontes.server").info("serving")
    assert json.loads(lines(stream)[0])["logger"] == "pontes.server"


def test_httpx_request_lines_are_debug_lines(stream):
    logs.configure(stream=stream)
    logging.getLogger("httpx").info('HTTP Request: GET https://vendor.example/x "HTTP/1.1 200 OK"')
    assert lines(stream) == []
    logs.configure(verbose=True, stream=stream)
    logging.getLogger("httpx").info('HTTP Request: GET https://vendor.example/y "HTTP/1.1 200 OK"')
    (line,) = lines(stream)
    assert " DEBUG httpx: HTTP Request: GET https://vendor.example/y" in line


def test_alembic_start_up_lines_only_when_verbose(stream):
    logs.configure(stream=stream)
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    assert lines(stream) == []
    logs.configure(verbose=True, stream=stream)
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    assert "Context impl SQLiteImpl." in lines(stream)[0]


def test_a_log_line_goes_above_an_open_progress_bar(stream):
    tqdm = pytest.importorskip("tqdm")
    logs.configure(stream=stream)
    bar = tqdm.tqdm(total=10, file=stream, desc="tickets", ascii=True)
    try:
        bar.update(3)
        before = stream.getvalue()
        logging.getLogger("pontes.export").info("page 2 loaded")
        written = stream.getvalue()[len(before):]
    finally:
        bar.close()
    # tqdm.write clears the bar, writes the line on its own, then draws the bar again.
    message_at = written.index("INFO pontes.export: page 2 loaded\n")
    assert written[:message_at].startswith("\r")
    assert "tickets:  30%" in written[message_at:]


def test_without_a_bar_the_line_is_written_plainly(stream):
    logs.configure(stream=stream)
    logging.getLogger("pontes.export").info("no bar")
    assert stream.getvalue().count("\r") == 0 and lines(stream)[0].endswith("no bar")


def test_the_cli_offers_the_json_format(capsys):
    code = main(["--log-format", "json", "--help"])
    assert code == 0
    assert "--log-format [text|json]" in capsys.readouterr().out
