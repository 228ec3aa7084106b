"""Webhook and request URL tokens: the unguessable last part of
``/hooks/<integration>/<token>`` and ``/requests/<integration>/<token>``.

A token stands for one role of one integration (``pontes hooks`` prints the URLs). It is
derived from the installation key (``pontes.keys``), so a URL stays the same across
restarts without being stored, unless the integration fixes its tokens in the
configuration (``secrets:``, per role).
"""

from __future__ import annotations

from .keys import derive_token


def webhook_token(key: bytes, integration: str, role: str) -> str:
    """The token of ``role``'s webhook URL in ``integration``, derived from ``key``."""
    return derive_token(key, f"hook:{integration}:{role}")


def request_token(key: bytes, integration: str) -> str:
    """The token of ``integration``'s request URL (``/requests/<integration>/<token>``),
    derived from ``key``."""
    return derive_token(key, f"request:{integration}")
