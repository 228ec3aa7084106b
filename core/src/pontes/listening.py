"""Listening sockets taken before a server says anything, and uvicorn run on them.

``pontes serve`` and ``pontes sandbox`` bind their port first: a port that is taken is one
clear ``ListenError`` (exit status 1) before any "serving on ..." line, instead of a
start-up that announces itself and then dies in uvicorn's log. uvicorn then serves on the
socket already bound, logging through pontes' handler (``pontes.logs``).
"""

from __future__ import annotations

import errno
import socket
from typing import Any

from .errors import PontesError


class ListenError(PontesError):
    """The server cannot listen on the address it was given."""


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to ``host``:``port`` (not yet listening), or a ``ListenError``
    saying why not: the port is in use, needs privileges, or the address is not here."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise ListenError(f"cannot listen on {host}:{port}: unknown address "
                          f"({exc.strerror})") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ListenError(_describe(host, port, exc)) from None
    sock.set_inheritable(True)
    return sock


def _describe(host: str, port: int, error: OSError) -> str:
    where = f"cannot listen on {host}:{port}"
    if error.errno == errno.EADDRINUSE:
        return (f"{where}: the port is already in use (is another pontes running?); "
                "stop it or choose another port with --port")
    if error.errno == errno.EACCES:
        return f"{where}: permission denied (ports below 1024 need privileges); use --port"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{where}: this machine has no such address; check --host"
    return f"{where}: {error.strerror}"


def serve_on(sock: socket.socket, app: Any, **options: Any) -> None:
    """Run ``app`` with uvicorn on the bound ``sock`` until interrupted; ``options`` are
    uvicorn's (``log_level``, ``http``...). Its lines go through the root logger's
    handler, in pontes' format."""
    import uvicorn

    config = uvicorn.Config(app, log_config=None, **options)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
