"""Logging for every pontes process: one format for pontes, uvicorn and library lines.

- ``configure(verbose, log_format)`` installs one handler on the root logger: ``text``
  (``time LEVEL logger: message``) or ``json`` (one object per line, for log shippers).
  The format comes from ``--log-format``, else ``$PONTES_LOG_FORMAT``, else the
  configuration's ``log_format`` (``use_config_format``), else text.
- Lines logged while an event runs (``event_context``) carry its integration, event id and
  attempt: as fields of a JSON line, and in the text of a text line.
- httpx's per-request lines are DEBUG lines (shown with ``--verbose``); Alembic's
  start-up chatter ("Context impl ...") only with ``--verbose``.
- While a tqdm progress bar is on the terminal, lines are written through tqdm so the bar
  is redrawn below them instead of being broken.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

FORMATS = ("text", "json")
FORMAT_ENV = "PONTES_LOG_FORMAT"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CONTEXT_FIELDS = ("integration", "event_id", "attempt")
QUIET_UNLESS_VERBOSE = ("alembic", "procrastinate")

_current_event: ContextVar[dict[str, Any] | None] = ContextVar("pontes_event", default=None)
_state: dict[str, Any] = {"explicit": False}


@contextmanager
def event_context(integration: str, event_id: int, attempt: int | None = None) -> Iterator[None]:
    """Within the block (and the tasks it starts), every log line names this event."""
    token = _current_event.set({"integration": integration, "event_id": event_id,
                                "attempt": attempt})
    try:
        yield
    finally:
        _current_event.reset(token)


def event_fields(integration: str, event_id: int | None = None,
                 attempt: int | None = None) -> dict[str, Any]:
    """``extra=`` for a line about one event logged outside ``event_context``."""
    return {"integration": integration, "event_id": event_id, "attempt": attempt}


class EventContextFilter(logging.Filter):
    """Adds the running event's fields to records that do not carry their own."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = _current_event.get()
        for name in CONTEXT_FIELDS:
            if getattr(record, name, None) is None:
                setattr(record, name, current.get(name) if current else None)
        return True


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message``, then ``[integration=... event=... attempt=...]``
    when the line is about an event."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        tags = [f"{label}={getattr(record, name)}"
                for name, label in zip(CONTEXT_FIELDS, ("integration", "event", "attempt"),
                                       strict=True)
                if getattr(record, name, None) is not None]
        if not tags:
            return line
        first, newline, rest = line.partition("\n")
        return f"{first} [{' '.join(tags)}]{newline}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the event's
    integration, event id and attempt when there is one, the duration of a finished
    attempt, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in (*CONTEXT_FIELDS, "duration_ms", "outcome"):
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class DemoteToDebug(logging.Filter):
    """Turns a library's INFO lines into DEBUG lines, dropped unless DEBUG is on."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return record.levelno >= logging.getLogger().getEffectiveLevel()


class ProgressAwareHandler(logging.StreamHandler):
    """A stream handler that writes through ``tqdm.write`` while a tqdm bar is shown."""

    def emit(self, record: logging.LogRecord) -> None:
        tqdm_class = _active_tqdm()
        if tqdm_class is None:
            super().emit(record)
            return
        try:
            tqdm_class.write(self.format(record), file=self.stream)
        except Exception:
            self.handleError(record)


def _active_tqdm() -> Any:
    """The tqdm class when tqdm is loaded and a bar is open, else ``None``."""
    module = sys.modules.get("tqdm")
    if module is None:
        return None
    tqdm_class = getattr(module, "tqdm", None)
    return tqdm_class if getattr(tqdm_class, "_instances", None) else None


def formatter_for(log_format: str) -> logging.Formatter:
    """The formatter of ``log_format`` (``text`` or ``json``)."""
    if log_format not in FORMATS:
        raise ValueError(f"log format {log_format!r}: expected one of {', '.join(FORMATS)}")
    return JsonFormatter() if log_format == "json" else TextFormatter()


def configure(verbose: bool = False, log_format: str | None = None,
              stream: TextIO | None = None) -> None:
    """Send every log line to stderr (or ``stream``) in one format; DEBUG with
    ``verbose``. ``log_format`` (or ``$PONTES_LOG_FORMAT``) given here wins over the
    configuration's ``log_format``."""
    chosen = log_format or os.environ.get(FORMAT_ENV) or None
    _state["explicit"] = chosen is not None
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "pontes", False)]:
        root.removeHandler(handler)
    handler = ProgressAwareHandler(stream or sys.stderr)
    handler.pontes = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter_for(chosen or "text"))
    handler.addFilter(EventContextFilter())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for name in QUIET_UNLESS_VERBOSE:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else logging.WARNING)
    httpx = logging.getLogger("httpx")
    if not any(isinstance(f, DemoteToDebug) for f in httpx.filters):
        httpx.addFilter(DemoteToDebug())


def configured() -> bool:
    """Whether ``configure`` has installed its handler."""
    return any(getattr(h, "pontes", False) for h in logging.getLogger().handlers)


def use_config_format(log_format: str | None) -> None:
    """Apply the configuration's ``log_format`` unless the command line or the
    environment chose one."""
    if log_format is None or _state["explicit"]:
        return
    for handler in logging.getLogger().handlers:
        if getattr(handler, "pontes", False):
            handler.setFormatter(formatter_for(log_format))
