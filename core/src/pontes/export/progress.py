"""Showing an export's progress: rows read per stream, and how many are loaded.

``Progress`` is what the exporter reports to; ``TqdmProgress`` draws one bar per stream on
stderr (for the command line), ``Progress`` itself draws nothing.
"""

from __future__ import annotations

from typing import Any


class Progress:
    """Receives progress reports and ignores them; subclasses show them."""

    def stream_started(self, stream: str, full_refresh: bool) -> None:
        """A stream's read begins (``full_refresh``: everything, not only changes)."""

    def rows_read(self, stream: str, rows: int, child_rows: int) -> None:
        """``rows`` more records (and ``child_rows`` rows of child tables) were read."""

    def rows_loaded(self, stream: str, rows: int) -> None:
        """A load package committed; ``rows`` records of the stream are loaded in all."""

    def stream_finished(self, stream: str) -> None:
        """The stream is done."""

    def close(self) -> None:
        """The export is over."""


class TqdmProgress(Progress):
    """One tqdm bar per stream: records read, rows/s, child rows and records loaded."""

    def __init__(self, **tqdm_options: Any):
        from tqdm import tqdm

        self._tqdm = tqdm
        self._options = {"unit": " rows", "dynamic_ncols": True, "leave": True, **tqdm_options}
        self._bars: dict[str, Any] = {}
        self._children: dict[str, int] = {}
        self._loaded: dict[str, int] = {}

    def stream_started(self, stream: str, full_refresh: bool) -> None:
        label = f"{stream} (full)" if full_refresh else stream
        self._bars[stream] = self._tqdm(desc=label, **self._options)
        self._children[stream] = 0
        self._loaded[stream] = 0

    def rows_read(self, stream: str, rows: int, child_rows: int) -> None:
        self._children[stream] += child_rows
        bar = self._bars[stream]
        bar.set_postfix(child_rows=self._children[stream], loaded=self._loaded[stream],
                        refresh=False)
        bar.update(rows)

    def rows_loaded(self, stream: str, rows: int) -> None:
        self._loaded[stream] = rows
        self._bars[stream].set_postfix(child_rows=self._children[stream], loaded=rows)

    def stream_finished(self, stream: str) -> None:
        self._bars[stream].close()

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
