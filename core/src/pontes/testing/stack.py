"""A whole pontes installation on loopback: vendor sandboxes, a configuration pointing at
them, and a real server process. The demo and the end-to-end tests are built on it.

```python
with Stack.running(workdir, connections={"helpdesk": ("movidesk", {})},
                   integrations={...}) as stack:
    stack.hook_url("support-history", "helpdesk")
    stack.wait_for_events("support-history", count=1)
```
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from ..config import load_config
from ..keys import derive_token
from ..plugins import load_plugins
from ..runtime import Runtime
from ..server import extra_plugins
from .server import free_port, serve_app

SERVER_START_TIMEOUT = 60.0


class StackError(RuntimeError):
    """The stack could not start, or something it waited for did not happen in time."""


@dataclass
class Stack:
    """A running installation: sandbox URLs, the config file, the server and its admin API."""

    workdir: Path
    sandbox_urls: dict[str, str]
    config_path: Path
    server_url: str
    admin_token: str
    env: dict[str, str]
    runtime: Runtime
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None
    _admin: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._admin = httpx.Client(base_url=self.server_url, timeout=30.0,
                                   headers={"Authorization": f"Bearer {self.admin_token}"})

    # --- starting and stopping -------------------------------------------------------------

    @classmethod
    @contextmanager
    def running(cls, workdir: Path, *, connections: Mapping[str, tuple[str, dict[str, Any]]],
                integrations: Mapping[str, dict[str, Any]],
                sandbox_options: Mapping[str, dict[str, Any]] | None = None,
                server_env: Mapping[str, str] | None = None,
                store: str | None = None) -> Iterator[Stack]:
        """Serve a sandbox per connector, write the configuration, start the server.

        ``connections`` maps a connection name to its connector and extra settings;
        ``sandbox_options`` gives a connector's sandbox its options (a rate limit, say).
        Modules named in ``server_env``'s ``PONTES_EXTRA_PLUGINS`` are loaded here too,
        as the server loads them (they must be importable from this process).
        """
        workdir.mkdir(parents=True, exist_ok=True)
        registry = load_plugins().registry
        options = dict(sandbox_options or {})
        with ExitStack() as cleanup:
            urls = {}
            for connector in sorted({c for c, _ in connections.values()}):
                sandbox = registry.sandboxes.get(connector)
                if sandbox is None:
                    raise StackError(f"no sandbox for {connector!r}; installed: "
                                     f"{', '.join(sorted(registry.sandboxes)) or 'none'}")
                app = sandbox.app(**options.get(connector, {}))
                urls[connector] = cleanup.enter_context(serve_app(app))
            port = free_port()
            server_url = f"http://127.0.0.1:{port}"
            config = {
                "store": store or f"sqlite:///{workdir / 'pontes.db'}",
                "public_url": server_url,
                "connections": {
                    name: {**registry.sandboxes[connector].settings(
                        urls[connector], **options.get(connector, {})), **extra}
                    for name, (connector, extra) in connections.items()
                },
                "integrations": dict(integrations),
            }
            config_path = workdir / "pontes.yaml"
            config_path.write_text(yaml.safe_dump(config, sort_keys=False))
            key = derive_token(str(workdir).encode(), "stack-key")
            env = {**os.environ, "PONTES_SECRET_KEY": key,
                   "PONTES_ADMIN_TOKEN": derive_token(key.encode(), "admin"), **(server_env or {})}
            config_read = load_config(config_path)
            plugins = load_plugins(config_read.plugins, extra=extra_plugins(env))
            runtime = Runtime.build(config_read, plugins, key=key.encode())
            stack = cls(workdir, urls, config_path, server_url, env["PONTES_ADMIN_TOKEN"], env,
                        runtime)
            cleanup.callback(stack.close)
            cleanup.callback(stack.stop)
            stack.start_server(port)
            yield stack

    def start_server(self, port: int | None = None) -> None:
        """Start (or restart) the server process and wait until it is healthy."""
        port = port or int(self.server_url.rsplit(":", 1)[1])
        self.log_path = self.workdir / "server.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pontes.cli", "serve", "--config", str(self.config_path),
             "--host", "127.0.0.1", "--port", str(port)],
            env=self.env, stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        self.wait_until(lambda: self._healthy(), SERVER_START_TIMEOUT, "the server to start")

    def _healthy(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise StackError(f"the server exited with {self.process.returncode}:\n"
                             f"{self.server_log()[-3000:]}")
        try:
            return self._admin.get("/healthz").status_code == 200
        except httpx.TransportError:
            return False

    def stop(self, kill: bool = False) -> None:
        """Stop the server process (``kill`` sends SIGKILL, as a crash would)."""
        if self.process is None or self.process.poll() is not None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def server_log(self) -> str:
        """What the server process printed so far."""
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    # --- using it ---------------------------------------------------------------------------

    def hook_url(self, integration: str, role: str) -> str:
        """The webhook URL of an integration's role, as ``pontes hooks`` prints it."""
        for hook in self.runtime.hook_urls():
            if hook.integration == integration and hook.role == role:
                return hook.url
        raise StackError(f"integration {integration!r} takes no webhooks as {role!r}")

    def sandbox(self, connector: str) -> httpx.Client:
        """An HTTP client for a sandbox (its API and its ``/_sandbox`` controls)."""
        return httpx.Client(base_url=self.sandbox_urls[connector], timeout=30.0)

    def admin(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call the admin API (``path`` below ``/admin/api``) and return its JSON answer."""
        response = self._admin.request(method, f"/admin/api{path}", **kwargs)
        response.raise_for_status()
        return response.json()

    def events(self, integration: str | None = None, status: str | None = None) -> list[dict]:
        """Events as the admin API lists them, oldest first."""
        params = {k: v for k, v in {"integration": integration, "status": status,
                                    "limit": 1000}.items() if v is not None}
        return list(reversed(self.admin("GET", "/events", params=params)))

    def event(self, event_id: int) -> dict:
        """One event with its result, errors and attempts."""
        return self.admin("GET", f"/events/{event_id}")

    def wait_for_events(self, integration: str, count: int, *, timeout: float = 60.0,
                        finished: tuple[str, ...] = ("succeeded", "dead")) -> list[dict]:
        """Wait until ``integration`` has ``count`` events in a finished state; return all."""
        found: list[dict] = []

        def ready() -> bool:
            nonlocal found
            found = [e for e in self.events(integration) if e["status"] in finished]
            return len(found) >= count

        self.wait_until(ready, timeout, f"{count} finished event(s) of {integration}")
        return found

    def wait_until(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        """Wait until ``condition()`` is true; ``StackError`` with the server log if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.1)
        raise StackError(f"timed out after {timeout:.0f}s waiting for {what}\n"
                         f"server log (end):\n{self.server_log()[-3000:]}")

    def close(self) -> None:
        """Close the admin client (the server is stopped by ``running``)."""
        self._admin.close()
