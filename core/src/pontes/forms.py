"""Form bodies with bracket keys (``ticket[client][emails][0]=...``), as PHP writes them.

Vendors built on PHP send nested data in ``application/x-www-form-urlencoded`` bodies by
writing the path of each value in its key: ``ticket[id]=7&ticket[tags][0]=vip``.
``nest_form`` reads such pairs back into dicts and lists (the server's decoded form keeps
them flat, as sent); ``flatten_form`` writes nested data that way, for sandboxes that post
forms as their vendor does.

Reading follows PHP: a key's path is its name and each ``[segment]`` after it; ``[]``
appends; an object whose keys are all whole numbers is a list, in the order of those
numbers. A key that is not of that form is kept whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")


def key_path(key: str) -> list[str]:
    """The path of a bracket key: ``"a[b][0]"`` -> ``["a", "b", "0"]``; ``"a[]"`` ->
    ``["a", ""]`` (an empty segment appends); a key of any other form is its own path."""
    found = _KEY.match(key)
    if found is None:
        return [key]
    return [found.group(1), *_SEGMENT.findall(found.group(2))]


def nest_form(pairs: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """The nested data of a form's ``pairs`` (a mapping or ``(key, value)`` pairs).

    Raises ``ValueError`` naming the key when one key makes a value and another a
    container of the same path (``a=1&a[b]=2``).
    """
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    root: dict[str, Any] = {}
    for key, value in items:
        path = key_path(key)
        node = root
        for depth, segment in enumerate(path):
            last = depth == len(path) - 1
            if segment == "":
                segment = str(sum(1 for k in node if k.isdigit()))
            if last:
                if isinstance(node.get(segment), dict):
                    raise ValueError(f"form key {key!r} gives a value to "
                                     f"{'.'.join(path[:depth + 1])}, which other keys nest in")
                node[segment] = value
                break
            child = node.setdefault(segment, {})
            if not isinstance(child, dict):
                raise ValueError(f"form key {key!r} nests in {'.'.join(path[:depth + 1])}, "
                                 "which another key gives a value")
            node = child
    return _with_lists(root)


def _with_lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _with_lists(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def flatten_form(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``data`` as the pairs of a form with bracket keys, as PHP's ``http_build_query``
    writes it: ``None`` and empty lists leave their key out, ``True``/``False`` are ``1``
    and ``0``, numbers their text."""
    pairs: list[tuple[str, str]] = []
    for key, value in data.items():
        _flatten(str(key), value, pairs)
    return pairs


def _flatten(key: str, value: Any, pairs: list[tuple[str, str]]) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for inner, item in value.items():
            _flatten(f"{key}[{inner}]", item, pairs)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _flatten(f"{key}[{index}]", item, pairs)
    elif isinstance(value, bool):
        pairs.append((key, "1" if value else "0"))
    else:
        pairs.append((key, str(value)))
