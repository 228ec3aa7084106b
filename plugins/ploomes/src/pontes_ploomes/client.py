"""The Ploomes HTTP client, its OData queries and the few calls every action is made of.

Ploomes speaks OData v4: ``$filter`` expressions with ``eq``/``and``/``or`` and lambdas
such as ``Phones/any(p: contains(p/PhoneNumber, '5678'))``, and OData key syntax for one
record, ``/Deals(123)`` and ``/Deals(123)/Win`` (never ``/Deals/123``). Collections answer
``{"@odata.context": ..., "value": [...]}``; the helpers here unwrap that envelope, page
with ``$skip`` in pages of at most 300 rows, follow ``@odata.nextLink`` when Ploomes cuts a
page short and says where the rest is, and read one record by id with ``$filter=Id eq n``
as Ploomes clients do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
from pontes.plugin import (
    NotFoundError,
    RateLimit,
    VendorClient,
    VendorError,
    quote_literal,
    vendor_message,
)

if TYPE_CHECKING:
    from .connector import PloomesSettings

DEFAULT_BASE_URL = "https://public-api2.ploomes.com"
"""The public API host; accounts on other shards set their own ``base_url``."""

USER_KEY_HEADER = "User-Key"

MAX_TOP = 300
"""The largest page Ploomes returns; a larger ``$top`` is silently cut to this."""

NEXT_LINK = "@odata.nextLink"


# --- OData queries ----------------------------------------------------------------------


def record_id(value: Any, what: str = "id") -> int:
    """A Ploomes record id (always an integer); ``ValueError`` naming ``what`` otherwise."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a Ploomes id (an integer), got {value!r}") from None
    if number <= 0:
        raise ValueError(f"{what} must be a positive Ploomes id, got {value!r}")
    return number


def key_path(entity: str, key: Any, action: str | None = None) -> str:
    """The path of one record in key syntax: ``key_path("Deals", 5, "Win")`` -> ``/Deals(5)/Win``."""
    path = f"/{entity}({record_id(key, f'{entity} id')})"
    return f"{path}/{action}" if action else path


def eq(field_name: str, value: Any) -> str:
    """``Field eq <literal>``."""
    return f"{field_name} eq {quote_literal(value)}"


def all_of(*clauses: str | None) -> str:
    """The clauses joined with ``and`` (each in parentheses when it has an ``or``)."""
    return " and ".join(_grouped(c) for c in clauses if c)


def any_of(*clauses: str | None) -> str:
    """The clauses joined with ``or``."""
    return " or ".join(_grouped(c) for c in clauses if c)


def _grouped(clause: str) -> str:
    return f"({clause})" if " or " in clause else clause


def contains(path: str, text: str) -> str:
    """``contains(path, '<text>')``."""
    return f"contains({path}, {quote_literal(text)})"


def any_in(collection: str, variable: str, condition: str) -> str:
    """A lambda over a collection: ``Phones/any(p: <condition>)``."""
    return f"{collection}/any({variable}: {condition})"


@dataclass(frozen=True)
class Query:
    """The OData options of one request; ``params()`` gives the query string."""

    filter: str | None = None
    expand: tuple[str, ...] = ()
    select: tuple[str, ...] = ()
    orderby: str | None = None
    top: int | None = None
    skip: int | None = None

    def params(self) -> dict[str, str]:
        """The query parameters, ``$top`` capped at the Ploomes maximum."""
        params: dict[str, str] = {}
        if self.filter:
            params["$filter"] = self.filter
        if self.expand:
            params["$expand"] = ",".join(self.expand)
        if self.select:
            params["$select"] = ",".join(self.select)
        if self.orderby:
            params["$orderby"] = self.orderby
        if self.top is not None:
            params["$top"] = str(min(self.top, MAX_TOP))
        if self.skip:
            params["$skip"] = str(self.skip)
        return params

    def page(self, top: int, skip: int) -> Query:
        """This query for one page: ``top`` rows after ``skip``."""
        return Query(self.filter, self.expand, self.select, self.orderby, top, skip)


# --- the client and its calls -----------------------------------------------------------


def describe_error(response: httpx.Response) -> str:
    """The Ploomes explanation of an error answer.

    Ploomes runs ASP.NET OData, whose errors read ``{"error": {"code", "message",
    "details": [{"message"}], "innererror": {"message"}}}``; the message and the details
    are joined. Other bodies fall back to the generic reading.
    """
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return vendor_message(response)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not error.get("message"):
        return vendor_message(response)
    parts = [str(error["message"])]
    for detail in error.get("details") or []:
        if isinstance(detail, dict) and detail.get("message"):
            parts.append(str(detail["message"]))
    inner = error.get("innererror")
    if isinstance(inner, dict) and inner.get("message"):
        parts.append(str(inner["message"]))
    return "; ".join(parts)


def build_client(connection_name: str, settings: PloomesSettings,
                 **options: Any) -> VendorClient:
    """The ``VendorClient`` of a Ploomes connection (``options`` go to the client as-is)."""
    return VendorClient(
        connection=connection_name,
        base_url=settings.base_url or DEFAULT_BASE_URL,
        rate_limit=RateLimit(settings.requests_per_minute, 60.0),
        headers={USER_KEY_HEADER: settings.user_key.get_secret_value(),
                 "Accept": "application/json"},
        secret_headers=(USER_KEY_HEADER,),
        timeout=settings.timeout_seconds,
        describe_error=describe_error,
        **options,
    )


def unwrap(body: Any) -> list[dict[str, Any]]:
    """The records of an answer: the ``value`` list of the envelope, or the object itself."""
    if body is None:
        return []
    if isinstance(body, dict) and isinstance(body.get("value"), list):
        return body["value"]
    if isinstance(body, list):
        return body
    return [body]


def link_request(base_url: str, link: str) -> tuple[str, dict[str, str]]:
    """The path and query parameters of ``link`` (an ``@odata.nextLink``), to be asked of
    the connection's own host.

    Only the path and query are kept, so the ``User-Key`` never goes to a host named in
    an answer (Ploomes names its shards by other host names); a relative link resolves
    against ``base_url``, and ``base_url``'s own path is not repeated.
    """
    target = urlsplit(urljoin(base_url.rstrip("/") + "/", link))
    prefix = urlsplit(base_url).path.rstrip("/")
    path = target.path
    if prefix and path.startswith(prefix + "/"):
        path = path[len(prefix):]
    return path, dict(parse_qsl(target.query, keep_blank_values=True))


def next_link(body: Any) -> str | None:
    """The ``@odata.nextLink`` of an answer, when it has one."""
    link = body.get(NEXT_LINK) if isinstance(body, dict) else None
    return link if isinstance(link, str) and link.strip() else None


async def fetch_page(client: VendorClient, path: str, query: Query) -> list[dict[str, Any]]:
    """One page of ``path``: the rows ``query`` asks for (at most 300).

    When Ploomes answers fewer rows than asked and says where the rest is
    (``@odata.nextLink``), the links are followed until the page is complete; a link
    seen twice or a linked page without rows ends the page.
    """
    body = await client.get_json(path, params=query.params())
    rows = unwrap(body)
    seen: set[str] = set()
    link = next_link(body)
    while link is not None and link not in seen:
        seen.add(link)
        link_path, params = link_request(client.base_url, link)
        body = await client.get_json(link_path, params=params)
        linked = unwrap(body)
        if not linked:
            break
        rows.extend(linked)
        link = next_link(body)
    return rows


async def fetch_all(client: VendorClient, path: str, query: Query,
                    limit: int | None = None) -> list[dict[str, Any]]:
    """Every row of ``path`` matching ``query`` (up to ``limit``), paging with ``$skip``.

    Rows are ordered by ``Id`` unless the query orders them, so pages do not overlap.
    Each page is complete (see ``fetch_page``), so a page shorter than asked is the last.
    """
    ordered = query if query.orderby else Query(query.filter, query.expand, query.select, "Id")
    rows: list[dict[str, Any]] = []
    skip = query.skip or 0
    while limit is None or len(rows) < limit:
        size = MAX_TOP if limit is None else min(MAX_TOP, limit - len(rows))
        page = await fetch_page(client, path, ordered.page(size, skip))
        rows.extend(page)
        if len(page) < size:
            break
        skip += len(page)
    return rows if limit is None else rows[:limit]


async def fetch_first(client: VendorClient, path: str, query: Query) -> dict[str, Any] | None:
    """The first row matching ``query``, or ``None``."""
    page = await fetch_page(client, path, query.page(1, query.skip or 0))
    return page[0] if page else None


async def fetch_by_id(client: VendorClient, entity: str, record: Any, *,
                      expand: tuple[str, ...] = (), condition: str | None = None,
                      what: str | None = None) -> dict[str, Any]:
    """The record of ``entity`` with id ``record``; ``NotFoundError`` when there is none.

    ``condition`` narrows the match (``TypeId eq 2`` for a person).
    """
    identifier = record_id(record, f"{what or entity} id")
    clause = eq("Id", identifier)
    found = await fetch_first(client, f"/{entity}", Query(
        filter=f"{clause} and {condition}" if condition else clause, expand=expand))
    if found is None:
        raise NotFoundError(f"Ploomes has no {what or entity} with id {identifier}",
                            status=404, url=f"/{entity}")
    return found


async def create(client: VendorClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST a new record and return it as Ploomes answered (envelope unwrapped)."""
    rows = unwrap(await client.post_json(path, json=body))
    if not rows or "Id" not in rows[0]:
        raise VendorError(f"Ploomes answered POST {path} without the new record", url=path)
    return rows[0]
