"""Helpers of the admin tests: the signed-in client and the forms' CSRF tokens."""

from __future__ import annotations

import re

import httpx
from engine_support import ADMIN_TOKEN

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form of a page."""
    return CSRF.search(html).group(1)


def sign_in(url: str, token: str = ADMIN_TOKEN) -> tuple[httpx.Client, httpx.Response]:
    """A client that posted the sign-in form with ``token``, and the answer."""
    client = httpx.Client(base_url=url, timeout=30)
    form = client.get("/admin/sign-in")
    answer = client.post("/admin/sign-in", data={"token": token, "next": "/admin/events",
                                                  "csrf_token": csrf_of(form.text)})
    return client, answer
