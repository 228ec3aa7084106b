"""Ploomes custom fields (``OtherProperties``) in the three forms the API uses.

- Read over REST with ``$expand=OtherProperties``: a list of typed rows, each with a
  ``FieldKey`` and one populated value column (``StringValue``, ``IntegerValue``...).
- Written on POST/PATCH: a list of ``{"FieldKey": key, "<Column>": value}``.
- Webhook snapshots: a flat object ``{FieldKey: value}``.

All three read into ``{FieldKey: value}``. Writes use the second form, in the column the
field was read from when known, otherwise the column that fits the Python value.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .dates import format_time

VALUE_COLUMNS = (
    "StringValue", "BigStringValue", "IntegerValue", "DecimalValue", "DateTimeValue",
    "BoolValue", "ObjectValueId", "UserValueId", "ContactValueId", "ProductValueId",
    "AttachmentValueId", "CurrencyValueId", "AttachmentItemValueId",
)
"""The columns of a typed row that hold a field's value (the ``...Name`` ones describe it)."""


def read_custom(other_properties: Any) -> dict[str, Any]:
    """``{FieldKey: value}`` from any of the three forms (empty for ``None``)."""
    if isinstance(other_properties, dict):
        return dict(other_properties)
    values: dict[str, Any] = {}
    for row in other_properties or []:
        if isinstance(row, dict) and row.get("FieldKey"):
            values[row["FieldKey"]] = next(
                (row[c] for c in VALUE_COLUMNS if row.get(c) is not None), None)
    return values


def value_columns(other_properties: Any) -> dict[str, str]:
    """``{FieldKey: column}`` for the rows of a REST or write-form list."""
    if not isinstance(other_properties, list):
        return {}
    columns = {}
    for row in other_properties:
        if not isinstance(row, dict) or not row.get("FieldKey"):
            continue
        column = next((c for c in VALUE_COLUMNS if row.get(c) is not None), None)
        if column:
            columns[row["FieldKey"]] = column
    return columns


def column_for(value: Any) -> str:
    """The value column that fits a Python value."""
    if isinstance(value, bool):
        return "BoolValue"
    if isinstance(value, int):
        return "IntegerValue"
    if isinstance(value, float | Decimal):
        return "DecimalValue"
    if isinstance(value, datetime | date):
        return "DateTimeValue"
    return "StringValue"


def json_value(value: Any) -> Any:
    """A value as JSON can carry it (numbers stay numbers, dates become Ploomes text)."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return format_time(value)
    return value


def write_custom(custom: dict[str, Any], columns: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The write form of ``custom``.

    A value given as ``{"ObjectValueId": 7}`` names its column itself; otherwise the
    column comes from ``columns`` (how the field was read) or from the value's type.
    """
    rows = []
    for key, value in custom.items():
        if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in VALUE_COLUMNS:
            column, inner = next(iter(value.items()))
            rows.append({"FieldKey": key, column: json_value(inner)})
            continue
        column = (columns or {}).get(key) or column_for(value)
        rows.append({"FieldKey": key, column: json_value(value)})
    return rows
