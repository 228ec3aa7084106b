"""What the sandbox remembers: one amoCRM account (contacts, companies, leads, notes,
events, webhooks, pipelines, users, custom fields) and its OAuth tokens."""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

ACCOUNT_ID = 17769199
SUBDOMAIN = "sandbox"
ADMIN_ID = 504141
PIPELINE_ID = 3508507
FIRST_STATUS_ID = 58840350
WORKING_STATUS_ID = 58840353
WON, LOST = 142, 143
CONTACT_MARKER_FIELD = 5515
COMPANY_MARKER_FIELD = 5527
DEAL_MARKER_FIELD = 1372541
"""Text fields "External id", which the sandbox's connections name as marker fields."""


def _seed_pipelines() -> dict[int, dict[str, Any]]:
    statuses = [(FIRST_STATUS_ID, "New lead", 10), (WORKING_STATUS_ID, "Negotiation", 20),
                (WON, "Closed - won", 10000), (LOST, "Closed - lost", 11000)]
    return {PIPELINE_ID: {
        "id": PIPELINE_ID, "name": "Sales", "sort": 1, "is_main": True,
        "is_unsorted_on": False, "is_archive": False, "account_id": ACCOUNT_ID,
        "_embedded": {"statuses": [
            {"id": sid, "name": name, "sort": sort, "is_editable": sid not in (WON, LOST),
             "pipeline_id": PIPELINE_ID, "color": "#99ccff", "type": 0,
             "account_id": ACCOUNT_ID} for sid, name, sort in statuses]}}}


def _seed_fields() -> dict[str, list[dict[str, Any]]]:
    def enum(eid: int, value: str, sort: int) -> dict[str, Any]:
        return {"id": eid, "value": value, "sort": sort}

    return {
        "contacts": [
            {"id": 5511, "name": "Phone", "type": "multitext", "code": "PHONE", "sort": 4,
             "enums": [enum(1, "WORK", 2), enum(2, "MOB", 6), enum(3, "HOME", 10)],
             "required_statuses": []},
            {"id": 5513, "name": "Email", "type": "multitext", "code": "EMAIL", "sort": 6,
             "enums": [enum(4, "WORK", 2), enum(5, "PRIV", 4)], "required_statuses": []},
            {"id": CONTACT_MARKER_FIELD, "name": "External id", "type": "text", "code": None,
             "sort": 8, "enums": None, "required_statuses": []},
        ],
        "companies": [
            {"id": 5521, "name": "Phone", "type": "multitext", "code": "PHONE", "sort": 4,
             "enums": [enum(6, "WORK", 2)], "required_statuses": []},
            {"id": 5523, "name": "Email", "type": "multitext", "code": "EMAIL", "sort": 6,
             "enums": [enum(7, "WORK", 2)], "required_statuses": []},
            {"id": 5525, "name": "Web", "type": "url", "code": "WEB", "sort": 8,
             "enums": None, "required_statuses": []},
            {"id": COMPANY_MARKER_FIELD, "name": "External id", "type": "text", "code": None,
             "sort": 10, "enums": None, "required_statuses": []},
        ],
        "leads": [
            {"id": 66339, "name": "Source", "type": "text", "code": None, "sort": 10,
             "enums": None, "required_statuses": []},
            {"id": 1372537, "name": "Product", "type": "select", "code": None, "sort": 20,
             "enums": [enum(705377, "Basic", 1), enum(705379, "Pro", 2)],
             "required_statuses": [{"status_id": WORKING_STATUS_ID,
                                    "pipeline_id": PIPELINE_ID}]},
            {"id": 1372539, "name": "Channels", "type": "multiselect", "code": None,
             "sort": 30, "enums": [enum(705381, "E-mail", 1), enum(705383, "Phone", 2),
                                   enum(705385, "Chat", 3)], "required_statuses": []},
            {"id": DEAL_MARKER_FIELD, "name": "External id", "type": "text", "code": None,
             "sort": 40, "enums": None, "required_statuses": []},
        ],
    }


@dataclass
class Tokens:
    """The OAuth side of the account: authorization codes, access tokens (with their
    expiry) and refresh tokens, each refresh token good for one use."""

    codes: dict[str, float] = field(default_factory=dict)
    access: dict[str, float] = field(default_factory=dict)
    refresh: set[str] = field(default_factory=set)
    spent_refresh: set[str] = field(default_factory=set)
    issued: int = 0

    def issue(self, lifetime: int) -> dict[str, Any]:
        """A new token pair, as the token endpoint answers it."""
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.access[access] = time.time() + lifetime
        self.refresh.add(refresh)
        self.issued += 1
        return {"token_type": "Bearer", "expires_in": lifetime, "server_time": int(time.time()),
                "access_token": access, "refresh_token": refresh}

    def valid(self, access: str) -> bool:
        """Whether ``access`` is a live access token."""
        return self.access.get(access, 0) > time.time()

    def spend(self, refresh: str) -> bool:
        """Use ``refresh`` once; ``False`` when it is unknown, spent or revoked."""
        if refresh not in self.refresh:
            return False
        self.refresh.discard(refresh)
        self.spent_refresh.add(refresh)
        return True

    def expire_access(self) -> None:
        """Make every access token expired (refresh tokens stay good)."""
        self.access = dict.fromkeys(self.access, 0.0)

    def revoke(self) -> None:
        """Revoke every token, as a user disconnecting the integration does."""
        self.access.clear()
        self.refresh.clear()


@dataclass
class AmocrmState:
    """One sandbox account. Records are kept as API v4 answers them, by entity and id."""

    records: dict[str, dict[int, dict[str, Any]]] = field(default_factory=lambda: {
        "contacts": {}, "companies": {}, "leads": {}})
    notes: dict[int, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    webhooks: dict[int, dict[str, Any]] = field(default_factory=dict)
    pipelines: dict[int, dict[str, Any]] = field(default_factory=_seed_pipelines)
    custom_fields: dict[str, list[dict[str, Any]]] = field(default_factory=_seed_fields)
    users: list[dict[str, Any]] = field(default_factory=lambda: [
        {"id": ADMIN_ID, "name": "Sandbox Admin", "email": "admin@sandbox.example",
         "lang": "en", "rights": {"is_admin": True}}])
    tokens: Tokens = field(default_factory=Tokens)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(9774766))

    def next_id(self) -> int:
        """A fresh record id."""
        return next(self._ids)

    def field(self, entity: str, field_id: Any = None, code: Any = None) -> dict | None:
        """The custom field of ``entity`` with this id or code."""
        for definition in self.custom_fields[entity]:
            if (field_id is not None and definition["id"] == field_id) or (
                    code is not None and definition["code"] == code):
                return definition
        return None

    def status_ids(self, pipeline_id: int) -> set[int]:
        """The statuses of a pipeline (empty for an unknown one)."""
        pipeline = self.pipelines.get(pipeline_id) or {}
        return {s["id"] for s in (pipeline.get("_embedded") or {}).get("statuses") or []}

    def add_event(self, kind: str, entity: str, entity_id: int, before: list, after: list,
                  ) -> None:
        """Record an event of the news feed (its id is a string, as amoCRM's)."""
        self.events.append({
            "id": f"01{len(self.events) + 1:08d}", "type": kind, "entity_id": entity_id,
            "entity_type": entity, "created_by": ADMIN_ID, "created_at": int(time.time()),
            "value_before": before, "value_after": after, "account_id": ACCOUNT_ID})

    def reset(self) -> None:
        """Forget every record, note, event, webhook and token."""
        fresh = AmocrmState()
        self.__dict__.update(fresh.__dict__)
