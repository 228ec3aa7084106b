"""Movidesk custom field values <-> the ``custom`` dict of canonical records.

A value in Movidesk is ``{customFieldId, customFieldRuleId, line, value, items}``. In
``custom`` it is keyed by the field id as text (``"5001"``; ``"5001:2"`` for a line other
than 1). Simple fields keep ``value`` exactly as sent, so Brazilian numbers such as
``"1.530,75"`` stay text here (typed conversion belongs to the mapping layer); list
fields become the list of their items' texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_KEY = re.compile(r"^(\d+)(?::(\d+))?$")
_ITEM_KEYS = ("customFieldItem", "personId", "clientId", "team")


def custom_of(values: Iterable[Mapping[str, Any]] | None) -> dict[str, Any]:
    """The ``custom`` dict of a ticket or person's ``customFieldValues``."""
    custom: dict[str, Any] = {}
    for entry in values or []:
        field_id = entry.get("customFieldId")
        if field_id is None:
            continue
        line = entry.get("line") or 1
        key = str(field_id) if line == 1 else f"{field_id}:{line}"
        items = entry.get("items") or []
        custom[key] = [_item_text(item) for item in items] if items else entry.get("value")
    return custom


def _item_text(item: Mapping[str, Any]) -> Any:
    for key in _ITEM_KEYS:
        if item.get(key) not in (None, ""):
            return item[key]
    return None


def rule_ids(values: Iterable[Mapping[str, Any]] | None) -> dict[int, int]:
    """The display rule each custom field was last written under, by field id."""
    return {
        int(entry["customFieldId"]): int(entry["customFieldRuleId"])
        for entry in values or []
        if entry.get("customFieldId") is not None and entry.get("customFieldRuleId") is not None
    }


def values_of(custom: Mapping[str, Any], rules: Mapping[int, int] | None = None,
              default_rule: int | None = None) -> list[dict[str, Any]]:
    """``customFieldValues`` entries for ``custom``.

    The rule of each field comes from ``rules`` (what the record was read with) or
    ``default_rule``; entries without either carry no ``customFieldRuleId``. Raises
    ``ValueError`` naming the key for keys that are not field ids and for values that
    are not text, whole numbers, ``None`` or lists of text.
    """
    rules = rules or {}
    entries = []
    for key, value in custom.items():
        match = _KEY.match(str(key))
        if match is None:
            raise ValueError(
                f"custom[{key!r}]: Movidesk custom fields are keyed by customFieldId "
                f"(e.g. '5001' or '5001:2' for line 2)"
            )
        field_id = int(match.group(1))
        entry: dict[str, Any] = {"customFieldId": field_id}
        rule = rules.get(field_id, default_rule)
        if rule is not None:
            entry["customFieldRuleId"] = rule
        entry["line"] = int(match.group(2) or 1)
        entry.update(_value_and_items(key, value))
        entries.append(entry)
    return entries


def _value_and_items(key: str, value: Any) -> dict[str, Any]:
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise ValueError(f"custom[{key!r}]: list items must be option texts")
        return {"value": None, "items": [{"customFieldItem": v} for v in value]}
    if value is None or isinstance(value, str):
        return {"value": value, "items": []}
    if isinstance(value, int) and not isinstance(value, bool):
        return {"value": str(value), "items": []}
    raise ValueError(
        f"custom[{key!r}]: {type(value).__name__} values need a transform to Movidesk text "
        f"(numbers are written '1.530,75'); got {value!r}"
    )


def merge_values(current: Iterable[Mapping[str, Any]],
                 changed: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The full list to write: ``current`` entries with ``changed`` ones put in place.

    Entries match on field id and line. A changed entry without a rule takes the rule
    its field already has. Movidesk drops values left out of a PATCH, so every current
    entry is kept.
    """
    merged = [dict(entry) for entry in current]
    position = {(e.get("customFieldId"), e.get("line") or 1): i for i, e in enumerate(merged)}
    for entry in changed:
        key = (entry["customFieldId"], entry.get("line") or 1)
        if key in position:
            old = merged[position[key]]
            new = dict(entry)
            if old.get("customFieldRuleId") is not None:
                new.setdefault("customFieldRuleId", old["customFieldRuleId"])
            merged[position[key]] = new
        else:
            position[key] = len(merged)
            merged.append(dict(entry))
    return merged
