"""Tables for people: the CLI's human output, drawn by ``rich``.

``table_text(headers, rows)`` gives a table with a header row and aligned columns. On a
terminal it fits the terminal's width (long cells fold) and headers are bold; piped to a
file or another program it is plain text, one line per row, never folded, so ``grep`` and
``cut`` keep working. Every command that prints tables also has ``--json``.
"""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

UNFOLDED_WIDTH = 100_000


def table_text(headers: Sequence[str], rows: Iterable[Sequence[Any]], *,
               title: str | None = None, right: Sequence[str] = ()) -> str:
    """``rows`` under ``headers`` as text (``None`` cells print as ``-``); the columns
    named in ``right`` are right-aligned (numbers)."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, title=title,
                  title_justify="left", header_style="bold", title_style="bold")
    for header in headers:
        table.add_column(header, justify="right" if header in right else "left",
                         overflow="fold")
    for row in rows:
        table.add_row(*(Text("-" if cell is None else str(cell)) for cell in row))
    return _render(table)


def echo_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], **options: Any) -> None:
    """Print ``table_text(headers, rows, **options)`` on standard output."""
    click.echo(table_text(headers, rows, **options))


def _render(table: Table) -> str:
    terminal = sys.stdout.isatty()
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=terminal, color_system="auto" if terminal else None,
                      width=shutil.get_terminal_size().columns if terminal else UNFOLDED_WIDTH,
                      highlight=False, emoji=False, markup=False)
    console.print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip("\n").splitlines())
