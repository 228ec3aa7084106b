"""Reading query options (``$filter``, ``$select``, ``$expand``, ``$orderby``, ``$top``,
``$skip``, ``$count``, ``$inlinecount``) into a checked ``Query``.

``$expand`` items carry their own options in parentheses, separated by ``;``:
``Contact($select=Id,Name;$expand=Phones),Owner``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from .dialect import COUNT_OPTIONS
from .errors import ODataError
from .evaluate import Evaluator
from .model import EntityType
from .query import OrderKey, Query
from .syntax import parse_filter, parse_path


def split_top_level(text: str, separator: str, option: str) -> list[str]:
    """``text`` split on ``separator`` outside parentheses and quoted text, each part
    stripped and empty ones dropped (``a($expand=b,c),d`` -> ``["a($expand=b,c)", "d"]``)."""
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                break
        elif char == separator and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    if depth != 0 or quoted:
        raise ODataError(f"{option}: unbalanced parentheses or quotes in {text!r}")
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def read_query(evaluator: Evaluator, entity: EntityType | None, params: Mapping[str, str], *,
               nested: bool = False) -> Query:
    """The ``Query`` that ``params`` ask of records of ``entity`` (``None``: of no
    declared type); ``nested`` for the options of an ``$expand`` item.

    Raises ``ODataError`` for an option the dialect does not accept, a malformed value,
    or a property the entity type does not have.
    """
    dialect = evaluator.dialect
    given = _given_options(params, dialect.options - COUNT_OPTIONS if nested else dialect.options,
                           dialect.word, nested)
    filter_text = given.get("$filter", "")
    orderby_text = given.get("$orderby", "").strip()
    if not orderby_text and not nested:
        orderby_text = dialect.default_orderby or ""
    top = _whole_number(given, "$top")
    return Query(
        entity=entity,
        evaluator=evaluator,
        filter=parse_filter(filter_text, entity, evaluator.schema, dialect)
        if filter_text.strip() else None,
        select=_select(given.get("$select", ""), entity, evaluator),
        expand=_expand(given.get("$expand", ""), entity, evaluator),
        orderby=_orderby(orderby_text, entity, evaluator),
        top=(None if nested else dialect.max_top) if top is None else min(top, dialect.max_top),
        skip=_whole_number(given, "$skip") or 0,
        count=given.get("$count", "").strip().lower() == "true" or _inline_count(given),
        asked_top=top,
    )


def _inline_count(given: Mapping[str, str]) -> bool:
    if "$inlinecount" not in given:
        return False
    value = given["$inlinecount"].strip().lower()
    if value not in ("allpages", "none"):
        raise ODataError(f"$inlinecount must be allpages or none, got {given['$inlinecount']!r}.")
    return value == "allpages"


def _given_options(params: Mapping[str, str], accepted: frozenset[str],
                   word: Callable[[str], str], nested: bool) -> dict[str, str]:
    given = {}
    for key, value in params.items():
        if not key.startswith("$"):
            continue
        name = word(key)
        if name not in accepted:
            where = " inside $expand" if nested else ""
            raise ODataError(f"The query parameter '{key}' is not supported{where}.")
        given[name] = value
    return given


def _whole_number(given: Mapping[str, str], option: str) -> int | None:
    if option not in given:
        return None
    text = given[option].strip()
    if not text.isdigit():
        raise ODataError(f"{option} must be a whole number, got {text!r}.")
    return int(text)


def _unknown(option: str, name: str, entity: EntityType) -> ODataError:
    return ODataError(f"{option}: could not find a property named {name!r} on type "
                      f"{entity.name!r}.")


def _select(text: str, entity: EntityType | None,
            evaluator: Evaluator) -> tuple[str, ...] | None:
    names = split_top_level(text, ",", "$select")
    if not names:
        return None
    if entity is None:
        return tuple(names)
    declared = []
    for name in names:
        member = "*" if name == "*" else entity.member(name, evaluator.dialect.ignore_case)
        if member is None:
            raise _unknown("$select", name, entity)
        declared.append(member)
    return tuple(declared)


def _expand(text: str, entity: EntityType | None, evaluator: Evaluator) -> dict[str, Query]:
    expanded = {}
    for item in split_top_level(text, ",", "$expand"):
        name, parenthesis, rest = item.partition("(")
        name = name.strip()
        if parenthesis and not rest.endswith(")"):
            raise ODataError(f"$expand: cannot read {item!r}")
        inner = {}
        for option in split_top_level(rest[:-1], ";", "$expand"):
            key, _, value = option.partition("=")
            inner[key.strip()] = value.strip()
        if entity is None:
            expanded[name] = read_query(evaluator, None, inner, nested=True)
            continue
        member = entity.member(name, evaluator.dialect.ignore_case)
        if member is None:
            raise _unknown("$expand", name, entity)
        if member not in entity.navigations:
            raise ODataError(f"$expand: {member!r} of type {entity.name!r} is not a "
                             "navigation property and cannot be expanded.")
        target = evaluator.schema.target(entity, member)
        expanded[member] = read_query(evaluator, target, inner, nested=True)
    return expanded


def _orderby(text: str, entity: EntityType | None, evaluator: Evaluator) -> tuple[OrderKey, ...]:
    keys = []
    for part in split_top_level(text, ",", "$orderby"):
        words = part.split()
        direction = words[1].lower() if len(words) == 2 else "asc"
        if len(words) > 2 or direction not in ("asc", "desc"):
            raise ODataError(f"$orderby: cannot read {part!r}")
        path = parse_path(words[0], "$orderby", entity, evaluator.schema, evaluator.dialect)
        keys.append(OrderKey(path, direction == "desc"))
    return tuple(keys)
