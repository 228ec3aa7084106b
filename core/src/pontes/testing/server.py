"""Serving an ASGI app on a loopback port for the duration of a test.

``serve_app(app)`` runs uvicorn in a background thread on a socket it has already bound,
so there is no window in which another process could take the port, and yields the base
URL once the server accepts connections. Leaving the ``with`` block stops the server and
waits for its thread.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager

import uvicorn
from starlette.types import ASGIApp

LOOPBACK = "127.0.0.1"
STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now.

    Another process may take it before you bind it; ``serve_app`` avoids that race by
    binding its own socket, so prefer it when you can.
    """
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


class ServerError(RuntimeError):
    """The app could not be served (it failed during start-up or did not start in time)."""


@contextmanager
def serve_app(app: ASGIApp, *, port: int = 0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 and yield its base URL (``http://127.0.0.1:N``).

    ``port`` 0 (the default) picks a free port. The app's lifespan runs, when it has one.
    Raises ``ServerError`` when the server does not come up.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    sock.listen(128)
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="auto",
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # reported to the waiting thread below
            failure.append(exc)

    thread = threading.Thread(target=run, name=f"pontes-serve-{sock.getsockname()[1]}",
                              daemon=True)
    thread.start()
    try:
        _wait_started(server, thread, failure)
        yield f"http://{LOOPBACK}:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(SHUTDOWN_TIMEOUT)
        sock.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread,
                  failure: list[BaseException]) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            cause = f": {failure[0]!r}" if failure else " (see the log for the cause)"
            raise ServerError(f"the app stopped during start-up{cause}")
        if time.monotonic() > deadline:
            raise ServerError(f"the app did not start within {STARTUP_TIMEOUT:.0f} s")
        time.sleep(0.01)
