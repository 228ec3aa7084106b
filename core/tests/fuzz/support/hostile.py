"""Hostile request bodies: hypothesis strategies, and a sweep over every field of a sample.

A body is built around a documented sample (a JSON object) or from nothing:

- random bytes, truncated JSON, arbitrary JSON values;
- a field of the sample replaced by a value of another type, nesting thousands deep, a
  number of thousands of digits (or ``1e400``), a long string, ``NaN``/``Infinity``, a
  lone surrogate escape, a date at the ends of the calendar, digits that are not ASCII;
- bad UTF-8 spliced into the sample's text;
- the sample's fields sent as a form.

Each comes with a Content-Type: JSON, none, plain text, a form, or something odd.
``Delivery`` is what is posted: the body bytes and the Content-Type.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any, NamedTuple
from urllib.parse import urlencode

from hypothesis import strategies as st

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"

_RAW = "@@raw-json@@"
"""Stands for raw JSON text while a sample is serialised (``with_raw``)."""

ADVERSARIAL_TEXT = (
    "", " ", "\x00", "²", "⑨", "١٢٣", "𝟗", "1) or (1 eq 1", "' or 1 eq 1 or '",
    "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "2024-02-30T25:61:00",
    "-1", "0", "9" * 30, "1e400", "NaN", "null", "../../etc/passwd", "%00%ff",
    "<script>alert(1)</script>", "ok\r\nSet-Cookie: x=1", "😀" * 50,
)
"""Strings that have crashed parsers: Unicode digits, injections, impossible dates..."""

RAW_VALUES = ("NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1e-400", "-0",
              '"\\ud800"', '"\\udfff\\ud800"', '"a\\u0000b"', "9" * 4301, "-" + "9" * 5000,
              "[" * 5000 + "]" * 5000, '{"a":' * 300 + "1" + "}" * 300)
"""JSON text (or what parsers take for it) that no ``json.dumps`` writes."""

CONTENT_TYPES = (JSON, JSON, JSON, "", "text/plain", FORM, "application/json; charset=utf-8",
                 "application/vnd.vendor+json", "multipart/form-data; boundary=x",
                 "application/json; " + "x" * 400)


class Delivery(NamedTuple):
    """A request body and the Content-Type it is sent with (``""``: none)."""

    body: bytes
    content_type: str


# --- building blocks ------------------------------------------------------------------


def field_paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside ``value`` (object keys and list indices), outermost first."""
    found = []
    children = (value.items() if isinstance(value, dict)
                else enumerate(value) if isinstance(value, list) else ())
    for key, child in children:
        found.append((*prefix, key))
        found.extend(field_paths(child, (*prefix, key)))
    return found


def replaced(value: Any, path: tuple, new: Any) -> Any:
    """A copy of ``value`` with the value at ``path`` replaced by ``new``."""
    result = copy.deepcopy(value)
    holder = result
    for key in path[:-1]:
        holder = holder[key]
    holder[path[-1]] = new
    return result


def with_raw(value: Any, raw: str) -> bytes:
    """``value`` as JSON with every ``_RAW`` string written as the raw text ``raw``."""
    return json.dumps(value, ensure_ascii=False).replace(json.dumps(_RAW), raw).encode()


def other_type_values(original: Any) -> list[Any]:
    """One value of every JSON type ``original`` is not (``None`` included)."""
    candidates = [None, True, 0, -1.5, "text", [1, "a"], {"k": "v"}]
    return [c for c in candidates
            if type(c) is not type(original) and not (c is None and original is None)]


def as_form(sample: dict[str, Any] | list[Any]) -> bytes:
    """The sample's top-level fields (or items, for a vendor that posts a JSON array) as a
    form: text as is, anything else as JSON text."""
    fields = sample.items() if isinstance(sample, dict) else enumerate(sample)
    return urlencode([(key, value if isinstance(value, str) else json.dumps(value))
                      for key, value in fields]).encode()


def sweep(samples: list[dict[str, Any]]) -> Iterator[tuple[str, Delivery]]:
    """Deterministic deliveries, each named by what was done to which sample: every field
    of the samples with a value of each other JSON type, then each raw value in a field.

    A field is tried in the first sample that has it, and in the first item of a list:
    the samples of one trigger share most fields, and list items share their shape.
    """
    seen: set[tuple] = set()
    for number, sample in enumerate(samples):
        fields = [path for path in field_paths(sample) if _first_of_its_kind(path, seen)]
        for path in fields:
            for wrong in other_type_values(_at(sample, path)):
                yield (f"sample {number}: {_name(path)}={json.dumps(wrong)}",
                       Delivery(json.dumps(replaced(sample, path, wrong)).encode(), JSON))
        for turn, raw in enumerate(RAW_VALUES if fields else ()):
            path = fields[turn * 7 % len(fields)]
            yield (f"sample {number}: {_name(path)}={raw[:20]}",
                   Delivery(with_raw(replaced(sample, path, _RAW), raw), JSON))


def _first_of_its_kind(path: tuple, seen: set[tuple]) -> bool:
    if any(isinstance(part, int) and part > 0 for part in path):
        return False
    kind = tuple("[]" if isinstance(part, int) else part for part in path)
    if kind in seen:
        return False
    seen.add(kind)
    return True


def _name(path: tuple) -> str:
    return ".".join(str(part) for part in path)


def _at(value: Any, path: tuple) -> Any:
    for key in path:
        value = value[key]
    return value


# --- strategies -------------------------------------------------------------------------


def json_values() -> st.SearchStrategy[Any]:
    """Arbitrary JSON values, text included from all of Unicode."""
    scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
               | st.text() | st.sampled_from(ADVERSARIAL_TEXT))
    return st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                        | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                        max_leaves=12)


def _mutated_field(sample: dict[str, Any]) -> st.SearchStrategy[bytes]:
    paths = field_paths(sample)
    if not paths:
        return st.just(json.dumps(sample).encode())
    path = st.sampled_from(paths)
    typed = st.builds(lambda p, v: json.dumps(replaced(sample, p, v), ensure_ascii=False,
                                              allow_nan=True).encode(),
                      path, json_values() | st.sampled_from(ADVERSARIAL_TEXT))
    raw = st.builds(lambda p, r: with_raw(replaced(sample, p, _RAW), r), path,
                    st.sampled_from(RAW_VALUES) | _deep_nesting() | _long_number()
                    | _long_string())
    return typed | raw


def _deep_nesting() -> st.SearchStrategy[str]:
    return st.builds(lambda depth, opener: opener[0] * depth + "1" + opener[1] * depth,
                     st.integers(60, 6000), st.sampled_from([("[", "]"), ('{"a":', "}")]))


def _long_number() -> st.SearchStrategy[str]:
    return st.builds(lambda digits, sign: sign + "9" * digits,
                     st.integers(15, 6000), st.sampled_from(["", "-"]))


def _long_string() -> st.SearchStrategy[str]:
    return st.builds(lambda size, char: json.dumps(char * size),
                     st.integers(1000, 200_000), st.sampled_from(["x", "é", "\x00", "😀"]))


def _truncated(text: bytes) -> st.SearchStrategy[bytes]:
    return st.integers(0, max(len(text) - 1, 0)).map(lambda cut: text[:cut])


def _bad_utf8(text: bytes) -> st.SearchStrategy[bytes]:
    junk = st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x80"])
    return st.builds(lambda at, bad: text[:at] + bad + text[at:],
                     st.integers(0, len(text)), junk)


def deliveries(samples: list[dict[str, Any]]) -> st.SearchStrategy[Delivery]:
    """Hostile deliveries around ``samples`` (and some around nothing at all)."""
    content_types = st.sampled_from(CONTENT_TYPES)
    around = []
    for sample in samples:
        text = json.dumps(sample).encode()
        around += [_mutated_field(sample), _truncated(text), _bad_utf8(text),
                   st.just(as_form(sample))]
    bodies = st.one_of(*around, st.binary(max_size=512),
                       json_values().map(lambda v: json.dumps(v).encode()))
    return st.builds(Delivery, bodies, content_types)
