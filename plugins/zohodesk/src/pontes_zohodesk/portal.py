"""What a connection needs to know of its portal: the department new tickets go to and the
support address replies are sent from (the settings', else the portal's first, read once
per connection)."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from pontes.plugin import Connection, PermanentFailure

from .client import desk_get, rows

_departments: WeakKeyDictionary[Connection, str] = WeakKeyDictionary()
_addresses: WeakKeyDictionary[Connection, dict[str, str]] = WeakKeyDictionary()


async def department_id(connection: Connection) -> str:
    """The ``department_id`` setting, else the portal's first department."""
    chosen = connection.settings.department_id
    if chosen:
        return chosen
    if connection not in _departments:
        found = rows(await desk_get(connection, "/departments", params={"limit": "1"}))
        if not found:
            raise PermanentFailure("the Zoho Desk portal has no department for new tickets")
        _departments[connection] = str(found[0]["id"])
    return _departments[connection]


async def reply_address(connection: Connection, department: str) -> str:
    """The ``reply_from`` setting, else the first support address of ``department``."""
    chosen = connection.settings.reply_from
    if chosen:
        return chosen
    known = _addresses.setdefault(connection, {})
    if department not in known:
        found = rows(await desk_get(connection, "/supportEmailAddress",
                                    params={"departmentId": department, "limit": "1"}))
        if not found or not found[0].get("address"):
            raise PermanentFailure(f"Zoho Desk department {department} has no support address "
                                   "to reply from: set reply_from")
        known[department] = str(found[0]["address"])
    return known[department]
