"""Webhooks a sandbox sends, as vendors send them, with a log of every delivery."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Delivery:
    """A webhook the sandbox sent, and what came back."""

    url: str
    body: Any
    form: bool
    headers: dict[str, str] = field(default_factory=dict)
    status: int | None = None
    answer: str | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        """Whether the receiver answered 2xx (a timeout or a refused connection did not)."""
        return self.status is not None and 200 <= self.status < 300


class WebhookSender:
    """Posts webhooks the way a vendor does and keeps a log of every delivery.

    Deliveries run in the background so the API call that caused them answers first, as
    at the vendor. ``drain()`` waits for the pending ones (for tests and the demo).
    """

    def __init__(self, timeout: float = 10.0):
        self.timeout = timeout
        self.deliveries: list[Delivery] = []
        self._pending: set[asyncio.Task[None]] = set()

    def send(self, url: str, body: Any, *, form: bool = False,
             headers: Mapping[str, str] | None = None,
             on_done: Callable[[Delivery], None] | None = None) -> Delivery:
        """Schedule a POST of ``body`` (JSON, or form-encoded when ``form``) to ``url``.

        ``headers`` are sent as given (a vendor's signature header, say). Returns the
        delivery record, filled in once the receiver answers; ``on_done`` is then called
        with it, answered or failed (a vendor that counts failed deliveries, say).
        """
        delivery = Delivery(url=url, body=body, form=form, headers=dict(headers or {}))
        self.deliveries.append(delivery)
        task = asyncio.get_running_loop().create_task(self._deliver(delivery, on_done))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return delivery

    async def _deliver(self, delivery: Delivery,
                       on_done: Callable[[Delivery], None] | None) -> None:
        kwargs: dict[str, Any] = {"data": delivery.body} if delivery.form else {"json": delivery.body}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(delivery.url, headers=delivery.headers, **kwargs)
            delivery.status = response.status_code
            delivery.answer = response.text[:2000]
        except httpx.HTTPError as exc:
            delivery.error = f"{type(exc).__name__}: {exc}"
        if on_done is not None:
            on_done(delivery)

    async def drain(self) -> None:
        """Wait until every scheduled delivery has been answered or has failed."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    def reset(self) -> None:
        """Forget the deliveries logged so far (running ones still finish)."""
        self.deliveries.clear()
