"""Which hosts an amoCRM connection may call: the SSRF guard.

An account's address comes from the operator (``base_url``) and sometimes from outside
(a panel's ``amo_base_host``, a ``_links.next`` in an answer). Every such host must be an
amoCRM or Kommo account domain, or be listed in the connection's ``allowed_hosts``
(tests list loopback there), so a crafted value cannot send the token elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

VENDOR_DOMAINS = ("amocrm.ru", "amocrm.com", "kommo.com")
"""The domains amoCRM and Kommo give their accounts (``acme.amocrm.ru``)."""


def host_of(url: str) -> str:
    """The lower-case host name of ``url`` (``ValueError`` when it has none or is not
    http(s))."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) address with a host")
    return parts.hostname.lower()


def is_vendor_host(host: str) -> bool:
    """Whether ``host`` is an account sub-domain of amoCRM or Kommo."""
    return any(host.endswith("." + domain) for domain in VENDOR_DOMAINS)


def check_host(url: str, allowed_hosts: Iterable[str], *, what: str) -> str:
    """``url``'s host when amoCRM's, Kommo's or listed in ``allowed_hosts``; a
    ``ValueError`` naming ``what`` (the setting or parameter) otherwise."""
    host = host_of(url)
    allowed = {entry.strip().lower() for entry in allowed_hosts}
    if is_vendor_host(host) or host in allowed:
        return host
    raise ValueError(
        f"{what}: {host} is not an amoCRM or Kommo account domain "
        f"(*.{', *.'.join(VENDOR_DOMAINS)}); list it in allowed_hosts to use it")
