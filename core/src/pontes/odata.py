"""OData literals for the ``$filter`` expressions vendor clients build."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def quote_literal(value: Any) -> str:
    """``value`` written as an OData literal.

    - text in single quotes, each quote doubled: ``O'Brien`` -> ``'O''Brien'``;
    - ``None`` -> ``null``; booleans -> ``true``/``false``;
    - numbers as digits, never in exponent form for ``Decimal`` (``Decimal("1E+2")``
      -> ``100``); infinities and NaN are refused;
    - an aware ``datetime`` in UTC with a ``Z`` (``2025-03-01T03:00:00Z``), which both
      Movidesk and Ploomes read; a naive one is refused, since vendors disagree on the
      zone it would be in (Movidesk means UTC, Ploomes Brasília time);
    - a ``date`` as ``2025-03-01``.

    Raises ``ValueError`` for the values refused above and ``TypeError`` for any other
    type.
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):
            raise ValueError(f"OData has no literal for {value!r}")
        return format(value, "f") if isinstance(value, Decimal) else repr(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"a date-time literal needs a time zone, got {value!r}")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no OData literal for a {type(value).__name__}: {value!r}")
