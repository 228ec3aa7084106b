"""Closing connections whose request headers do not arrive in time.

uvicorn closes a kept-alive connection that stays idle, but it waits forever for the
headers of a request that has begun, and for the first request of a new connection: a
client that sends one byte at a time (or nothing) holds a connection for as long as it
likes. ``HeaderTimeoutProtocol`` is uvicorn's h11 protocol with a deadline for the
headers of every request; past it, the client gets ``408 Request Timeout`` and the
connection is closed. Bodies have their own deadline, in ``bodies.read_body``.

Serve with ``uvicorn.run(app, http=header_timeout_protocol(seconds))``.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

_TIMEOUT_TEXT = b"the request headers did not arrive in time\n"
TIMEOUT_ANSWER = (b"HTTP/1.1 408 Request Timeout\r\n"
                  b"content-type: text/plain; charset=utf-8\r\n"
                  b"connection: close\r\n"
                  b"content-length: %d\r\n\r\n" % len(_TIMEOUT_TEXT)) + _TIMEOUT_TEXT
"""What a client whose headers are too slow gets, before the connection is closed."""


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request headers take longer than
    ``header_timeout`` seconds (counted from the connection, or from the first byte of a
    request on a kept-alive one)."""

    def __init__(self, *args: Any, header_timeout: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self._header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the deadline of the first request's headers."""
        super().connection_made(transport)
        self._watch_headers()

    def data_received(self, data: bytes) -> None:
        """Read as uvicorn does, then start or stop the headers' deadline."""
        super().data_received(data)
        self._watch_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the deadline of a connection that is gone."""
        self._stop_deadline()
        super().connection_lost(exc)

    def _watch_headers(self) -> None:
        waiting = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
        if not waiting:
            self._stop_deadline()
        elif self._header_deadline is None:
            self._header_deadline = self.loop.call_later(self.header_timeout,
                                                         self._headers_too_slow)

    def _stop_deadline(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.write(TIMEOUT_ANSWER)
            self.transport.close()


def header_timeout_protocol(seconds: float) -> Callable[..., HeaderTimeoutProtocol]:
    """The protocol factory to pass as uvicorn's ``http``, with a ``seconds`` deadline."""
    return functools.partial(HeaderTimeoutProtocol, header_timeout=seconds)
