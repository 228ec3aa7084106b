"""Bigin users: list them, and find or add the one that marks deals for a helpdesk.

``GET /users?type=ActiveUsers`` answers ``{"users": [...], "info": {...}}`` (pages of up
to 200, ``more_records``); a user has ``id``, ``full_name``, ``email``, ``role`` and
``profile``. ``POST /users`` adds (invites) one by e-mail, with a role and a profile:
the new user gets those of the current user.
"""

from __future__ import annotations

from typing import Any

from pontes.plugin import Connection, EnsureUser, NoParams, PermanentFailure, UserInfo, VendorError

from ..client import MAX_PER_PAGE
from ..connector import kit


async def users_of(connection: Connection, kind: str = "ActiveUsers") -> list[dict[str, Any]]:
    """Every user of ``kind`` (``ActiveUsers``, ``CurrentUser``...), page by page."""
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        body = await connection.client.get_json("/users", params={
            "type": kind, "page": str(page), "per_page": str(MAX_PER_PAGE)})
        users = body.get("users") if isinstance(body, dict) else None
        found += [u for u in users or [] if isinstance(u, dict)]
        if not users or not (body.get("info") or {}).get("more_records"):
            return found
        page += 1


def user_info(raw: dict[str, Any]) -> UserInfo:
    """A Bigin user as pontes lists it."""
    name = raw.get("full_name") or " ".join(
        p for p in (raw.get("first_name"), raw.get("last_name")) if p) or None
    return UserInfo(id=str(raw["id"]), name=name, email=raw.get("email") or None)


@kit.action("user.list")
async def user_list(connection: Connection, params: NoParams) -> list[UserInfo]:
    """The organisation's active users."""
    return [user_info(raw) for raw in await users_of(connection)]


def _lookup(raw: Any) -> dict[str, str] | None:
    return {"id": str(raw["id"])} if isinstance(raw, dict) and raw.get("id") else None


@kit.action("user.ensure")
async def user_ensure(connection: Connection, params: EnsureUser) -> UserInfo:
    """The active user with this name (compared without case), else one added with the
    given e-mail and the current user's role and profile; Bigin adds users by e-mail
    only, so without one a missing user is a ``PermanentFailure`` that says so."""
    wanted = params.name.strip().casefold()
    for user in await user_list(connection, NoParams()):
        if (user.name or "").strip().casefold() == wanted:
            return user
    if not params.email:
        raise PermanentFailure(f"Bigin has no active user named {params.name!r} and adds "
                               f"users by e-mail: add one in Bigin's Settings > Users, or "
                               f"give an e-mail")
    [me] = await users_of(connection, "CurrentUser") or [{}]
    first, _, last = params.name.strip().rpartition(" ")
    body = {"users": [{"first_name": first or None, "last_name": last,
                       "email": params.email, "role": _lookup(me.get("role")),
                       "profile": _lookup(me.get("profile"))}]}
    answer = await connection.client.post_json("/users", json=body)
    [entry] = (answer or {}).get("users") or [{}]
    if entry.get("status") != "success" or not (entry.get("details") or {}).get("id"):
        raise VendorError(f"Bigin did not add the user: {entry.get('code')}: "
                          f"{entry.get('message')}", url="/users")
    return UserInfo(id=str(entry["details"]["id"]), name=params.name.strip(),
                    email=params.email)
