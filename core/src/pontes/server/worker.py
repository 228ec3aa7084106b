"""Running a worker from a configuration file (``pontes worker``).

A worker runs events and polls from a PostgreSQL store, without taking webhooks: start
as many as the work needs, on any machines that reach the database. It stops on SIGTERM
or SIGINT: running events get ``shutdown_grace`` seconds to finish, then are handed back
for another worker to run.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import replace
from pathlib import Path

from prometheus_client import start_http_server

from ..engine import Engine, Settings
from ..errors import ConfigError
from .serve import Server, configure_logging

log = logging.getLogger("pontes.worker")


def work(config_path: str | Path, *, concurrency: int | None = None,
         metrics_port: int | None = None, metrics_host: str = "127.0.0.1",
         settings: Settings | None = None) -> None:
    """Run a worker for the configuration at ``config_path`` until SIGTERM or SIGINT.

    ``concurrency`` overrides ``PONTES_CONCURRENCY``; with ``metrics_port`` the worker's
    own metrics are served on ``http://metrics_host:metrics_port/``.
    """
    configure_logging()
    server = Server.from_config(config_path, settings)
    try:
        if server.store.is_sqlite:
            raise ConfigError(f"{config_path}: store: pontes worker needs a PostgreSQL store; "
                              "with SQLite, pontes serve runs the events itself")
        if concurrency is not None:
            server.settings = replace(server.settings, concurrency=concurrency)
        engine = Engine(server.runtime, server.store, replace(server.settings, run_events=True))
        if metrics_port is not None:
            start_http_server(metrics_port, metrics_host, registry=engine.metrics.registry)
        asyncio.run(_run_until_stopped(engine))
    finally:
        server.store.close()


async def _run_until_stopped(engine: Engine) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await engine.start()
    log.info("pontes worker started (store %s)", engine.store.url)
    try:
        await stop.wait()
        log.info("stopping: running events get %gs to finish", engine.settings.shutdown_grace)
    finally:
        await engine.stop()
        await engine.runtime.aclose()
