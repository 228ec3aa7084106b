"""Reading ``$filter`` expressions and property paths into syntax trees.

The language: comparisons (``eq ne gt ge lt le``), ``and``/``or``/``not`` and
parentheses; literals (text in single quotes with ``''`` for a quote, numbers, ``true``,
``false``, ``null``, date-times such as ``2016-09-01T00:00:00.00z`` or
``2025-03-10T11:00:00-03:00``); property paths joined by ``/`` (``owner/id``); the
lambdas ``path/any(v: condition)``, ``path/any()`` and ``path/all(v: condition)``; and
the functions a dialect allows. Paths are checked against the schema while they go
through declared types, and spelled as declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn

from .dialect import Dialect
from .errors import ODataError
from .model import EntityType, Schema
from .values import parse_instant

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
ARITY = {"contains": 2, "startswith": 2, "endswith": 2, "tolower": 1, "toupper": 1}
CONSTANTS = {"true": True, "false": False, "null": None}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[zZ]|[+-]\d{2}:\d{2})?)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>'(?:[^']|'')*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>[()/:,])
""", re.VERBOSE)


# --- syntax tree --------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    """A constant: text, a number (``int`` or ``Decimal``), a boolean, ``None`` or an
    aware UTC ``datetime``."""

    value: Any


@dataclass(frozen=True)
class Property:
    """A path of member names read from the record (``variable`` ``None``) or from the
    item a lambda's range variable stands for."""

    path: tuple[str, ...]
    variable: str | None = None


@dataclass(frozen=True)
class Call:
    """A function applied to its arguments: ``contains(Name, 'x')``."""

    function: str
    arguments: tuple[Any, ...]


@dataclass(frozen=True)
class Compare:
    """``left op right``, ``op`` one of ``COMPARISONS``."""

    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Logical:
    """``left and right`` or ``left or right``."""

    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Not:
    """``not operand``."""

    operand: Any


@dataclass(frozen=True)
class Lambda:
    """``collection/any(variable: body)``, ``collection/all(...)``, or ``collection/any()``
    (``variable`` and ``body`` ``None``: whether the collection has any item)."""

    collection: Property
    kind: str
    variable: str | None = None
    body: Any = None


CONDITIONS = (Compare, Logical, Not, Lambda)
"""The nodes that are conditions by their form, whatever the values they meet."""


# --- tokens -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokens(text: str, option: str) -> list[_Token]:
    tokens = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise ODataError(f"{option}: syntax error in {text!r}: unexpected "
                             f"{text[position]!r} at position {position}")
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(), position))
        position = match.end()
    return tokens


# --- parser -------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the tokens of one option value, with the types of the
    range variables in scope (``None`` for items of no declared type)."""

    def __init__(self, text: str, option: str, entity: EntityType | None, schema: Schema,
                 dialect: Dialect):
        self.text = text
        self.option = option
        self.tokens = _tokens(text, option)
        self.index = 0
        self.entity = entity
        self.schema = schema
        self.dialect = dialect
        self.variables: dict[str, EntityType | None] = {}

    # reading tokens

    def peek(self) -> _Token | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise ODataError(f"{self.option}: syntax error in {self.text!r}: unexpected end")
        self.index += 1
        return token

    def at(self, text: str) -> bool:
        token = self.peek()
        return token is not None and token.text == text

    def at_word(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token.kind == "name" and self.dialect.word(token.text) in words

    def expect(self, text: str) -> None:
        if not self.at(text):
            self.expected(repr(text), self.peek())
        self.index += 1

    def expected(self, what: str, token: _Token | None) -> NoReturn:
        found = "the end" if token is None else f"{token.text!r} at position {token.position}"
        raise ODataError(f"{self.option}: syntax error in {self.text!r}: expected {what}, "
                         f"found {found}")

    def unexpected(self, token: _Token) -> NoReturn:
        raise ODataError(f"{self.option}: syntax error in {self.text!r}: unexpected "
                         f"{token.text!r} at position {token.position}")

    def finish(self) -> None:
        token = self.peek()
        if token is not None:
            self.unexpected(token)

    # conditions

    def disjunction(self) -> Any:
        node = self.conjunction()
        while self.at_word("or"):
            self.index += 1
            node = Logical("or", node, self.conjunction())
        return node

    def conjunction(self) -> Any:
        node = self.negation()
        while self.at_word("and"):
            self.index += 1
            node = Logical("and", node, self.negation())
        return node

    def negation(self) -> Any:
        if self.at_word("not"):
            self.index += 1
            return Not(self.negation())
        return self.comparison()

    def comparison(self) -> Any:
        start = self.peek()
        left = self.operand()
        if self.at_word(*COMPARISONS):
            op = self.dialect.word(self.take().text)
            value_token = self.peek()
            right = self.operand()
            if self.dialect.simple_conditions:
                if not isinstance(left, Property):
                    self.expected("a property name", start)
                if not isinstance(right, Literal):
                    self.expected("a literal", value_token)
            return Compare(op, left, right)
        if self.dialect.simple_conditions and not isinstance(left, CONDITIONS):
            self.expected("a comparison (eq, ne, gt, ge, lt, le)", self.peek())
        return left

    # operands

    def operand(self) -> Any:
        token = self.take()
        if token.text == "(":
            node = self.disjunction()
            self.expect(")")
            return node
        if token.kind == "string":
            return Literal(token.text[1:-1].replace("''", "'"))
        if token.kind == "number":
            return Literal(Decimal(token.text) if "." in token.text else int(token.text))
        if token.kind == "datetime":
            moment = parse_instant(token.text)
            if moment is None:
                raise ODataError(f"{self.option}: {token.text!r} at position {token.position} "
                                 "is not a date-time")
            return Literal(moment)
        if token.kind != "name":
            self.unexpected(token)
        word = self.dialect.word(token.text)
        if word in CONSTANTS:
            return Literal(CONSTANTS[word])
        if self.at("("):
            return self.call(token, word)
        return self.path(token, lambdas=True)

    def call(self, token: _Token, function: str) -> Call:
        if function not in self.dialect.functions:
            raise ODataError(f"{self.option}: unknown function {token.text!r} at position "
                             f"{token.position}")
        self.expect("(")
        arguments = [self.disjunction()]
        while self.at(","):
            self.index += 1
            arguments.append(self.disjunction())
        self.expect(")")
        if len(arguments) != ARITY[function]:
            raise ODataError(f"{self.option}: {function}() takes {ARITY[function]} "
                             f"argument(s), got {len(arguments)}")
        return Call(function, tuple(arguments))

    def path(self, first: _Token, lambdas: bool) -> Property | Lambda:
        """A property path starting at ``first``, or a lambda over one."""
        variable = first.text if first.text in self.variables else None
        if variable is not None:
            names: list[str] = []
            current = self.variables[variable]
        else:
            name, current = self.step(self.entity, first)
            names = [name]
        while self.at("/"):
            self.index += 1
            segment = self.take()
            if segment.kind != "name":
                self.expected("a property name", segment)
            if lambdas and self.dialect.word(segment.text) in ("any", "all") and self.at("("):
                collection = Property(tuple(names), variable)
                return self.lambda_(collection, self.dialect.word(segment.text), current)
            name, current = self.step(current, segment)
            names.append(name)
        return Property(tuple(names), variable)

    def step(self, current: EntityType | None,
             token: _Token) -> tuple[str, EntityType | None]:
        """Member ``token`` of a value of type ``current``: its declared spelling and the
        type of its value (``None`` when not a declared entity type)."""
        if current is None:
            return token.text, None
        name = current.member(token.text, self.dialect.ignore_case)
        if name is None:
            raise ODataError(f"{self.option}: could not find a property named "
                             f"{token.text!r} on type {current.name!r}.")
        if name in current.navigations:
            return name, self.schema.target(current, name)
        return name, None

    def lambda_(self, collection: Property, kind: str, item_type: EntityType | None) -> Lambda:
        self.expect("(")
        if self.at(")"):
            self.index += 1
            if kind == "all":
                raise ODataError(f"{self.option}: all() needs a range variable and a condition")
            return Lambda(collection, kind)
        variable = self.take()
        if variable.kind != "name":
            self.expected("a range variable", variable)
        self.expect(":")
        outer = dict(self.variables)
        self.variables[variable.text] = item_type
        body = self.disjunction()
        self.variables = outer
        self.expect(")")
        return Lambda(collection, kind, variable.text, body)


def parse_filter(text: str, entity: EntityType | None, schema: Schema, dialect: Dialect) -> Any:
    """The syntax tree of ``$filter`` ``text`` over records of ``entity`` (``None``: of
    no declared type); ``ODataError`` when the dialect would refuse it."""
    parser = _Parser(text, "$filter", entity, schema, dialect)
    node = parser.disjunction()
    parser.finish()
    return node


def parse_path(text: str, option: str, entity: EntityType | None, schema: Schema,
               dialect: Dialect) -> Property:
    """A property path such as ``Contact/Name`` (for ``$orderby``), checked like a
    ``$filter`` path; ``ODataError`` naming ``option`` otherwise."""
    parser = _Parser(text, option, entity, schema, dialect)
    first = parser.take()
    if first.kind != "name":
        parser.expected("a property name", first)
    path = parser.path(first, lambdas=False)
    parser.finish()
    return path
