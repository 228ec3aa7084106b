"""The OData subset Movidesk's list endpoints take: $filter, $orderby, $top, $skip,
$select and $expand (nothing else, not even $count).

``$filter`` supports comparisons (``eq ne gt ge lt le``) of a property path with a
literal (text in quotes, numbers, ``true``/``false``/``null``, UTC date-times such as
``2016-09-01T00:00:00.00z``), ``and``/``or``/``not``, parentheses and the collection
lambdas ``any``/``all`` (``clients/any(c: c/email eq 'x')``). Paths use ``/``:
``owner/id eq '1'`` works while ``owner.id`` is a syntax error, as at Movidesk. Text
compares without regard to case, as Movidesk's database does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .timefmt import parse_instant

OPTIONS = frozenset({"$filter", "$orderby", "$top", "$skip", "$select", "$expand"})
COMPARISONS = frozenset({"eq", "ne", "gt", "ge", "lt", "le"})


class ODataError(ValueError):
    """A query option Movidesk would reject (answered with 400)."""


# --- tokens -----------------------------------------------------------------------------

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[zZ]|[+-]\d{2}:\d{2})?)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>'(?:[^']|'')*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[()/:,])
""", re.VERBOSE)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    value: Any
    position: int


def _tokens(text: str) -> list[_Token]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ODataError(
                f"$filter: syntax error at position {position} in {text!r} "
                f"(unexpected {text[position]!r})"
            )
        kind = match.lastgroup or ""
        raw = match.group()
        if kind != "space":
            tokens.append(_Token(kind, raw, _literal(kind, raw), position))
        position = match.end()
    return tokens


def _literal(kind: str, raw: str) -> Any:
    if kind == "string":
        return raw[1:-1].replace("''", "'")
    if kind == "number":
        return float(raw) if "." in raw else int(raw)
    if kind == "datetime":
        return parse_instant(raw)
    return None


# --- filter syntax tree -----------------------------------------------------------------


@dataclass(frozen=True)
class Compare:
    """``path op literal``."""

    path: tuple[str, ...]
    op: str
    value: Any


@dataclass(frozen=True)
class Lambda:
    """``path/any(var: body)`` or ``path/all(var: body)``."""

    path: tuple[str, ...]
    kind: str
    var: str
    body: Any


@dataclass(frozen=True)
class Logical:
    """``left and right`` / ``left or right``."""

    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Not:
    """``not operand``."""

    operand: Any


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0
        self.variables: list[str] = []

    def parse(self) -> Any:
        node = self._or()
        if self.index != len(self.tokens):
            self._fail(self.tokens[self.index], "unexpected")
        return node

    def _peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _next(self) -> _Token:
        token = self._peek()
        if token is None:
            raise ODataError(f"$filter: unexpected end of {self.text!r}")
        self.index += 1
        return token

    def _word(self, *words: str) -> bool:
        token = self._peek()
        return token is not None and token.kind == "name" and token.text.lower() in words

    def _expect(self, text: str) -> None:
        token = self._next()
        if token.text != text:
            self._fail(token, f"expected {text!r}, found")

    def _fail(self, token: _Token, what: str) -> None:
        raise ODataError(
            f"$filter: syntax error at position {token.position} in {self.text!r}: "
            f"{what} {token.text!r}"
        )

    def _or(self) -> Any:
        node = self._and()
        while self._word("or"):
            self.index += 1
            node = Logical("or", node, self._and())
        return node

    def _and(self) -> Any:
        node = self._not()
        while self._word("and"):
            self.index += 1
            node = Logical("and", node, self._not())
        return node

    def _not(self) -> Any:
        if self._word("not"):
            self.index += 1
            return Not(self._not())
        return self._atom()

    def _atom(self) -> Any:
        token = self._next()
        if token.text == "(":
            node = self._or()
            self._expect(")")
            return node
        if token.kind != "name":
            self._fail(token, "expected a property name, found")
        path = [token.text]
        while self._peek() is not None and self._peek().text == "/":
            self.index += 1
            segment = self._next()
            if segment.kind != "name":
                self._fail(segment, "expected a property name, found")
            if segment.text.lower() in ("any", "all") and self._peek() and self._peek().text == "(":
                return self._lambda(tuple(path), segment.text.lower())
            path.append(segment.text)
        op = self._next()
        if op.kind != "name" or op.text.lower() not in COMPARISONS:
            self._fail(op, "expected a comparison (eq, ne, gt, ge, lt, le), found")
        value = self._next()
        if value.kind == "name" and value.text.lower() in ("true", "false", "null"):
            literal = {"true": True, "false": False, "null": None}[value.text.lower()]
        elif value.kind in ("string", "number", "datetime"):
            literal = value.value
        else:
            self._fail(value, "expected a literal, found")
        return Compare(tuple(path), op.text.lower(), literal)

    def _lambda(self, path: tuple[str, ...], kind: str) -> Lambda:
        self._expect("(")
        var = self._next()
        if var.kind != "name":
            self._fail(var, "expected a range variable, found")
        self._expect(":")
        self.variables.append(var.text)
        body = self._or()
        self.variables.pop()
        self._expect(")")
        return Lambda(path, kind, var.text, body)


def parse_filter(text: str, properties: Sequence[str]) -> Any:
    """The syntax tree of a ``$filter``; properties outside ``properties`` are errors."""
    tree = _Parser(text).parse()
    _check_properties(tree, {p.lower() for p in properties}, set())
    return tree


def _check_properties(node: Any, known: set[str], variables: set[str]) -> None:
    if isinstance(node, Logical):
        _check_properties(node.left, known, variables)
        _check_properties(node.right, known, variables)
    elif isinstance(node, Not):
        _check_properties(node.operand, known, variables)
    elif isinstance(node, Compare | Lambda):
        head = node.path[0]
        if head not in variables and head.lower() not in known:
            raise ODataError(f"$filter: could not find a property named {head!r}")
        if isinstance(node, Lambda):
            _check_properties(node.body, known, variables | {node.var})


def matches(node: Any, record: Mapping[str, Any], scope: Mapping[str, Any] | None = None) -> bool:
    """Whether ``record`` satisfies the filter tree ``node``."""
    scope = scope or {}
    if isinstance(node, Logical):
        if node.op == "and":
            return matches(node.left, record, scope) and matches(node.right, record, scope)
        return matches(node.left, record, scope) or matches(node.right, record, scope)
    if isinstance(node, Not):
        return not matches(node.operand, record, scope)
    if isinstance(node, Lambda):
        items = _resolve(node.path, record, scope)
        if not isinstance(items, list):
            return node.kind == "all"
        test = all if node.kind == "all" else any
        return test(matches(node.body, record, {**scope, node.var: item}) for item in items)
    return _compare(_resolve(node.path, record, scope), node.op, node.value)


def lookup(data: Any, name: str) -> Any:
    """A key of ``data`` matched without regard to case (``None`` when absent)."""
    if not isinstance(data, Mapping):
        return None
    if name in data:
        return data[name]
    lowered = name.lower()
    for key, value in data.items():
        if key.lower() == lowered:
            return value
    return None


def _resolve(path: tuple[str, ...], record: Mapping[str, Any], scope: Mapping[str, Any]) -> Any:
    if path[0] in scope:
        value, rest = scope[path[0]], path[1:]
    else:
        value, rest = record, path
    for segment in rest:
        value = lookup(value, segment)
    return value


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b, "le": lambda a, b: a <= b,
}


def _compare(left: Any, op: str, right: Any) -> bool:
    if right is None or left is None:
        equal = left is None and right is None
        return equal if op == "eq" else (not equal if op == "ne" else False)
    left, right = _comparable(left, right)
    if left is None:
        return op == "ne"
    if op == "eq":
        return left == right
    if op == "ne":
        return left != right
    try:
        return _ORDER[op](left, right)
    except TypeError:
        return False


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(right, datetime):
        try:
            return parse_instant(left) if isinstance(left, str) else None, right
        except ValueError:
            return None, right
    if isinstance(right, bool) or isinstance(left, bool):
        return left, right
    if isinstance(right, int | float) and isinstance(left, str):
        try:
            return float(left), right
        except ValueError:
            return left, str(right)
    if isinstance(right, str):
        return str(left).casefold(), right.casefold()
    return left, right


# --- $select, $expand, $orderby ----------------------------------------------------------


@dataclass
class Expand:
    """One ``$expand`` item with its nested ``$select`` and ``$expand``."""

    name: str
    select: list[str] | None = None
    expand: dict[str, Expand] = field(default_factory=dict)


def split_top_level(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside parentheses (``a($expand=b,c),d`` -> 2 parts)."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise ODataError(f"unbalanced parentheses in {text!r}")
        elif ch == separator and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    if depth != 0:
        raise ODataError(f"unbalanced parentheses in {text!r}")
    parts.append(text[start:].strip())
    return [p for p in parts if p]


def parse_expand(text: str) -> dict[str, Expand]:
    """``clients($select=id;$expand=organization),actions`` -> items by lower-case name."""
    items: dict[str, Expand] = {}
    for part in split_top_level(text, ","):
        name, _, rest = part.partition("(")
        item = Expand(name.strip())
        if rest:
            for option in split_top_level(rest[:-1], ";"):
                key, _, value = option.partition("=")
                key = key.strip().lower()
                if key == "$select":
                    item.select = [s.strip() for s in value.split(",") if s.strip()]
                elif key == "$expand":
                    item.expand = parse_expand(value)
        items[item.name.lower()] = item
    return items


def parse_orderby(text: str, properties: Sequence[str]) -> list[tuple[str, bool]]:
    """``lastUpdate asc, id desc`` -> ``[(lastUpdate, False), (id, True)]`` (desc flags)."""
    known = {p.lower(): p for p in properties}
    order = []
    for part in split_top_level(text, ","):
        words = part.split()
        name = words[0]
        direction = words[1].lower() if len(words) > 1 else "asc"
        if len(words) > 2 or direction not in ("asc", "desc"):
            raise ODataError(f"$orderby: cannot read {part!r}")
        if name.lower() not in known:
            raise ODataError(f"$orderby: could not find a property named {name!r}")
        order.append((known[name.lower()], direction == "desc"))
    return order


def sort_rows(rows: list[dict[str, Any]], order: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """Rows sorted by ``order`` (nulls first when ascending, as in SQL Server)."""
    for name, descending in reversed(order):
        rows = sorted(rows, key=lambda row, n=name: _sort_key(row.get(n)), reverse=descending)
    return rows


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, str):
        return (1, value.casefold())
    if isinstance(value, bool):
        return (1, int(value))
    return (1, value)


def project(record: Mapping[str, Any], select: Sequence[str] | None,
            expand: Mapping[str, Expand], expandable: Sequence[str]) -> dict[str, Any]:
    """The part of ``record`` a client asked for.

    With ``select`` ``None`` everything is returned. Otherwise the selected properties
    and the expanded ones; ``expandable`` properties come only through ``$expand``.
    """
    if select is None and not expand:
        return dict(record)
    lowered = {k.lower(): k for k in record}
    if select is None or "*" in select:
        names = list(record)
    else:
        names = [lowered[s.lower()] for s in select if s.lower() in lowered]
    hidden = {e.lower() for e in expandable} if select is not None else set()
    result = {name: record[name] for name in names if name.lower() not in hidden}
    for key, item in expand.items():
        name = lowered.get(key)
        if name is None:
            continue
        result[name] = _project_value(record[name], item)
    return result


def _project_value(value: Any, item: Expand) -> Any:
    if isinstance(value, list):
        return [_project_value(v, item) for v in value]
    if isinstance(value, Mapping):
        if item.select is None:
            return dict(value)
        return project(value, item.select, item.expand, ())
    return value


def check_names(names: Sequence[str], properties: Sequence[str], option: str) -> None:
    """``ODataError`` for a name that is not a property (compared without case)."""
    known = {p.lower() for p in properties}
    for name in names:
        if name != "*" and name.lower() not in known:
            raise ODataError(f"{option}: could not find a property named {name!r}")
