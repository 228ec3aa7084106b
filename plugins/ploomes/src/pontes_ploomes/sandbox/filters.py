"""The OData ``$filter`` language as the sandbox understands it.

Supported: ``eq ne gt ge lt le``, ``and or not``, parentheses, ``contains``,
``startswith``, ``endswith``, ``tolower``, ``toupper``, paths (``Contact/Name``) and the
``any``/``all`` lambdas (``Phones/any(p: contains(p/PhoneNumber, '5678'))``); literals are
quoted text (``''`` escapes a quote), numbers, ``true``/``false``/``null`` and
ISO 8601 times. Text compares case-insensitively, as Ploomes' database collation does.
Anything else is a ``FilterError``, which the API answers with 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Getter = Callable[[Any, str], Any]
Predicate = Callable[[dict[str, Any]], Any]

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>'(?:[^']|'')*')
    | (?P<time>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?)
    | (?P<number>-?\d+(?:\.\d+)?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>[(),/:])
    )""", re.VERBOSE)

COMPARISONS = {"eq", "ne", "gt", "ge", "lt", "le"}
FUNCTIONS = {"contains", "startswith", "endswith", "tolower", "toupper"}


class FilterError(ValueError):
    """A ``$filter`` the sandbox cannot read, or one naming an unknown property."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokens(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = _TOKEN.match(text, position)
        if not match:
            raise FilterError(f"syntax error at position {position} in $filter: {text[position:position + 20]!r}")
        kind = match.lastgroup or ""
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    return tokens


def _as_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            moment = datetime.fromisoformat(value.replace("z", "+00:00").replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(left, datetime) or isinstance(right, datetime):
        return _as_time(left), _as_time(right)
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold(), right.casefold()
    if isinstance(left, bool) or isinstance(right, bool):
        return left, right
    if isinstance(left, int | float | Decimal) and isinstance(right, int | float | Decimal):
        return Decimal(str(left)), Decimal(str(right))
    return left, right


def compare(op: str, left: Any, right: Any) -> bool:
    """``left <op> right`` with OData's meaning (``null`` equals only ``null``)."""
    if op in ("eq", "ne"):
        a, b = _comparable(left, right)
        return (a == b) if op == "eq" else (a != b)
    if left is None or right is None:
        return False
    a, b = _comparable(left, right)
    try:
        return {"gt": a > b, "ge": a >= b, "lt": a < b, "le": a <= b}[op]
    except TypeError:
        raise FilterError(f"cannot compare {left!r} and {right!r} with {op}") from None


def _call(name: str, args: list[Any]) -> Any:
    if name in ("tolower", "toupper"):
        if len(args) != 1:
            raise FilterError(f"{name}() takes one argument")
        value = args[0]
        if value is None:
            return None
        return str(value).lower() if name == "tolower" else str(value).upper()
    if len(args) != 2:
        raise FilterError(f"{name}() takes two arguments")
    haystack, needle = args
    if haystack is None or needle is None:
        return False
    haystack, needle = str(haystack).casefold(), str(needle).casefold()
    if name == "contains":
        return needle in haystack
    if name == "startswith":
        return haystack.startswith(needle)
    return haystack.endswith(needle)


class _Parser:
    """Recursive descent from tokens to a function of the variables in scope."""

    def __init__(self, text: str, get: Getter):
        self.tokens = _tokens(text)
        self.position = 0
        self.get = get
        self.variables: list[str] = []

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise FilterError("unexpected end of $filter")
        self.position += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise FilterError(f"expected {text!r} in $filter, found {token.text!r}")

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "name" and token.text in words

    def parse(self) -> Callable[[dict[str, Any]], Any]:
        node = self.disjunction()
        if self.peek() is not None:
            raise FilterError(f"unexpected {self.peek().text!r} in $filter")
        return node

    def disjunction(self):
        node = self.conjunction()
        while self.at_word("or"):
            self.take()
            left, right = node, self.conjunction()
            node = lambda env, a=left, b=right: bool(a(env)) or bool(b(env))  # noqa: E731
        return node

    def conjunction(self):
        node = self.negation()
        while self.at_word("and"):
            self.take()
            left, right = node, self.negation()
            node = lambda env, a=left, b=right: bool(a(env)) and bool(b(env))  # noqa: E731
        return node

    def negation(self):
        if self.at_word("not"):
            self.take()
            inner = self.negation()
            return lambda env: not inner(env)
        return self.comparison()

    def comparison(self):
        left = self.operand()
        if self.peek() is not None and self.peek().kind == "name" and self.peek().text in COMPARISONS:
            op = self.take().text
            right = self.operand()
            return lambda env: compare(op, left(env), right(env))
        return left

    def operand(self):
        token = self.take()
        if token.text == "(":
            inner = self.disjunction()
            self.expect(")")
            return inner
        if token.kind == "string":
            value = token.text[1:-1].replace("''", "'")
            return lambda env: value
        if token.kind == "number":
            number = Decimal(token.text)
            return lambda env: number
        if token.kind == "time":
            moment = _as_time(token.text)
            return lambda env: moment
        if token.kind != "name":
            raise FilterError(f"unexpected {token.text!r} in $filter")
        if token.text in ("true", "false", "null"):
            constant = {"true": True, "false": False, "null": None}[token.text]
            return lambda env: constant
        if token.text in FUNCTIONS and self.peek() is not None and self.peek().text == "(":
            return self.function(token.text)
        return self.path(token.text)

    def function(self, name: str):
        self.expect("(")
        args = [self.disjunction()]
        while self.peek() is not None and self.peek().text == ",":
            self.take()
            args.append(self.disjunction())
        self.expect(")")
        return lambda env: _call(name, [a(env) for a in args])

    def path(self, first: str):
        steps: list[str] = [first]
        while self.peek() is not None and self.peek().text == "/":
            self.take()
            step = self.take()
            if step.kind != "name":
                raise FilterError(f"expected a property name after '/', found {step.text!r}")
            if step.text in ("any", "all") and self.peek() is not None and self.peek().text == "(":
                return self.lambda_(list(steps), step.text)
            steps.append(step.text)
        return self.resolver(steps)

    def resolver(self, steps: list[str]):
        get = self.get
        start = steps[0] if steps[0] in self.variables else "$it"
        rest = steps[1:] if start != "$it" else steps

        def resolve(env: dict[str, Any]) -> Any:
            value = env[start]
            for step in rest:
                if value is None:
                    return None
                value = get(value, step)
            return value

        return resolve

    def lambda_(self, steps: list[str], kind: str):
        collection = self.resolver(steps)
        self.expect("(")
        if self.peek() is not None and self.peek().text == ")":
            self.take()
            if kind == "all":
                raise FilterError("all() needs a condition")
            return lambda env: bool(collection(env))
        variable = self.take()
        if variable.kind != "name":
            raise FilterError(f"expected a lambda variable, found {variable.text!r}")
        self.expect(":")
        self.variables.append(variable.text)
        condition = self.disjunction()
        self.variables.pop()
        self.expect(")")
        quantifier = any if kind == "any" else all

        def apply(env: dict[str, Any]) -> bool:
            items = collection(env) or []
            return quantifier(bool(condition({**env, variable.text: item})) for item in items)

        return apply


def compile_filter(text: str, get: Getter) -> Predicate:
    """A predicate over rows for the ``$filter`` ``text``; ``get(obj, name)`` reads a
    property (and raises ``FilterError`` for an unknown one)."""
    node = _Parser(text, get).parse()
    return lambda row: bool(node({"$it": row}))


def parse_number(text: str, option: str) -> int:
    """A non-negative integer query option (``$top``, ``$skip``); ``FilterError`` otherwise."""
    try:
        value = int(Decimal(text))
    except (InvalidOperation, ValueError):
        raise FilterError(f"{option} must be a non-negative integer, got {text!r}") from None
    if value < 0:
        raise FilterError(f"{option} must be a non-negative integer, got {text!r}")
    return value
