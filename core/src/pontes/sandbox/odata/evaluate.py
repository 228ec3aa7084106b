"""Turning ``$filter`` and ``$orderby`` syntax trees into functions over in-memory records.

Each tree is compiled once per query into nested functions, so a page over many records
does not walk the tree again for each one. Paths are followed the way the parser typed
them: a property of a record of a declared type is read by its declared name, a
navigation is followed through the schema, and members of objects of no declared type
are looked up as the dialect says (in any case or exactly; absent ones null or an error).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .dialect import Dialect
from .errors import ODataError
from .model import EntityType, Schema
from .syntax import Call, Compare, Lambda, Literal, Logical, Not, Property
from .values import MIRRORED, loose_compare, strict_compare

Scope = dict[str, Any]
Compiled = Callable[[Any, Scope], Any]
Types = dict[str | None, EntityType | None]
"""The declared type of the record (key ``None``) and of each range variable in scope."""


def member_key(item: Mapping[str, Any], name: str, ignore_case: bool) -> str | None:
    """The key of ``item`` that member ``name`` reads (``None`` when there is none)."""
    if name in item:
        return name
    if ignore_case:
        lowered = name.lower()
        for key in item:
            if isinstance(key, str) and key.lower() == lowered:
                return key
    return None


class Evaluator:
    """Compiles conditions and value readers over records, in one dialect and schema."""

    def __init__(self, dialect: Dialect, schema: Schema):
        self.dialect = dialect
        self.schema = schema

    def condition(self, node: Any, entity: EntityType | None) -> Callable[[Any], bool]:
        """A test of records of ``entity`` (or of no declared type) against ``node``."""
        compiled = self._compile(node, {None: entity})
        return lambda record: bool(compiled(record, {}))

    def reader(self, node: Any, entity: EntityType | None) -> Callable[[Any], Any]:
        """The value of expression ``node`` for a record of ``entity``."""
        compiled = self._compile(node, {None: entity})
        return lambda record: compiled(record, {})

    def related(self, entity: EntityType, name: str, record: Mapping[str, Any]) -> Any:
        """Navigation ``name`` of ``record`` followed: a record, a list of them, or ``None``."""
        return self.schema.related(entity, name, record)

    # --- compiling ----------------------------------------------------------------------

    def _compile(self, node: Any, types: Types) -> Compiled:
        if isinstance(node, Literal):
            value = node.value
            return lambda root, scope: value
        if isinstance(node, Property):
            return self._path(node, types)[0]
        if isinstance(node, Compare):
            return self._compare(node, types)
        if isinstance(node, Logical):
            left, right = self._compile(node.left, types), self._compile(node.right, types)
            if node.op == "and":
                return lambda root, scope: bool(left(root, scope)) and bool(right(root, scope))
            return lambda root, scope: bool(left(root, scope)) or bool(right(root, scope))
        if isinstance(node, Not):
            operand = self._compile(node.operand, types)
            return lambda root, scope: not operand(root, scope)
        if isinstance(node, Lambda):
            return self._lambda(node, types)
        if isinstance(node, Call):
            arguments = [self._compile(argument, types) for argument in node.arguments]
            function = _FUNCTIONS[node.function]
            return lambda root, scope: function(*(a(root, scope) for a in arguments))
        raise TypeError(f"not a filter node: {node!r}")

    def _path(self, node: Property, types: Types) -> tuple[Compiled, EntityType | None]:
        """The path's reader, and the declared type of the value it reads (if any)."""
        current = types[node.variable]
        steps = []
        for name in node.path:
            step, current = self._step(current, name)
            steps.append(step)
        variable = node.variable
        if variable is None and len(steps) == 1:
            [only] = steps
            return (lambda root, scope: None if root is None else only(root)), current

        def read(root: Any, scope: Scope) -> Any:
            value = root if variable is None else scope[variable]
            for step in steps:
                if value is None:
                    return None
                value = step(value)
            return value

        return read, current

    def _step(self, current: EntityType | None,
              name: str) -> tuple[Callable[[Any], Any], EntityType | None]:
        """Reading member ``name`` of a value declared of type ``current``, and the
        declared type of what it reads. A declared record may still turn out to be a list
        (a path going on past a navigation to many), read as a value of no type."""
        if current is None:
            return lambda value: self._member(value, name), None
        if name not in current.navigations:
            def read_property(value: Any) -> Any:
                try:
                    return value.get(name)
                except AttributeError:
                    return self._member(value, name)

            return read_property, None
        entity, related = current, self.schema.related

        def follow(value: Any) -> Any:
            if isinstance(value, Mapping):
                return related(entity, name, value)
            return self._member(value, name)

        return follow, self.schema.target(current, name)

    def _member(self, value: Any, name: str) -> Any:
        """Member ``name`` of a value of no declared type."""
        if isinstance(value, Mapping):
            key = member_key(value, name, self.dialect.ignore_case)
            if key is not None:
                return value[key]
            if self.dialect.absent_members_are_null:
                return None
            raise ODataError(f"$filter: could not find a property named {name!r}.")
        if self.dialect.absent_members_are_null:
            return None
        raise ODataError(f"$filter: {name!r} cannot be read from a value")

    def _compare(self, node: Compare, types: Types) -> Compiled:
        left, right, op = self._compile(node.left, types), self._compile(node.right, types), node.op
        if self.dialect.loose_comparisons and isinstance(node.right, Literal):
            return lambda root, scope: loose_compare(op, left(root, scope), right(root, scope))
        if self.dialect.loose_comparisons and isinstance(node.left, Literal):
            mirrored = MIRRORED[op]
            return lambda root, scope: loose_compare(mirrored, right(root, scope),
                                                     left(root, scope))
        return lambda root, scope: strict_compare(op, left(root, scope), right(root, scope))

    def _lambda(self, node: Lambda, types: Types) -> Compiled:
        collection, item_type = self._path(node.collection, types)
        where = "/".join(node.collection.path) or node.collection.variable

        def items(root: Any, scope: Scope) -> list[Any]:
            value = collection(root, scope)
            if value is None:
                return []
            if isinstance(value, list):
                return value
            if self.dialect.absent_members_are_null:
                return []
            raise ODataError(f"$filter: {where!r} is not a collection")

        if node.variable is None:
            return lambda root, scope: bool(items(root, scope))
        variable, test = node.variable, any if node.kind == "any" else all
        body = self._compile(node.body, {**types, variable: item_type})
        return lambda root, scope: test(bool(body(root, {**scope, variable: item}))
                                        for item in items(root, scope))


def _case(convert: Callable[[str], str]) -> Callable[[Any], Any]:
    return lambda text: None if text is None else convert(str(text))


def _matcher(test: Callable[[str, str], bool]) -> Callable[[Any, Any], bool]:
    def match(haystack: Any, needle: Any) -> bool:
        if haystack is None or needle is None:
            return False
        return test(str(haystack).casefold(), str(needle).casefold())

    return match


_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "tolower": _case(str.lower),
    "toupper": _case(str.upper),
    "contains": _matcher(lambda haystack, needle: needle in haystack),
    "startswith": _matcher(str.startswith),
    "endswith": _matcher(str.endswith),
}
"""What each ``$filter`` function does; text matching ignores case."""
