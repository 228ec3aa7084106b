"""Dotted field paths: checking them against canonical models, reading and writing them.

A path is a dot-separated list of names: ``company.name``, ``custom.cnpj``,
``remote_data.clients.0.email``. Below a model the names are its fields; below a dict
field (``custom``, ``remote_data``, ``utm``...) any name is accepted, because those hold
whatever the vendor or the operator put there. In source paths a list is entered with an
index (``0``, ``-1`` for the last item) or ``*`` (every item, giving a list).
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..models import Record

__all__ = [
    "ENVELOPE_FIELDS",
    "OPEN",
    "PathError",
    "assign",
    "field_type",
    "is_list_type",
    "parse_path",
    "plain_type",
    "read",
    "resolve_source",
    "resolve_target",
]

OPEN: Any = Any
"""The type of an open path (below a dict or ``Any`` field): anything may be there."""

ENVELOPE_FIELDS = frozenset({"id", "refs", "remote_data", "remote_updated_at"})
"""Record fields that belong to pontes and the plugins, never written by a mapping."""

WILDCARD = "*"


class PathError(Exception):
    """A path that does not exist in a model; ``allowed`` lists what would have been valid."""

    def __init__(self, message: str, allowed: list[str]):
        super().__init__(message)
        self.message = message
        self.allowed = allowed

    def __str__(self) -> str:
        if not self.allowed:
            return self.message
        return f"{self.message}; allowed: {', '.join(self.allowed)}"


def parse_path(text: str) -> tuple[str, ...]:
    """Split ``"a.b.0"`` into ``("a", "b", "0")``; an empty part is a ``PathError``."""
    if not isinstance(text, str) or not text.strip():
        raise PathError(f"a field path must be non-empty text, got {text!r}", [])
    parts = tuple(part.strip() for part in text.strip().split("."))
    if any(not part for part in parts):
        raise PathError(f"{text!r} has an empty part between dots", [])
    return parts


def field_type(field: FieldInfo) -> Any:
    """A field's full annotation, including validators that pydantic keeps apart."""
    if field.metadata:
        return Annotated[(field.annotation, *field.metadata)]
    return field.annotation


def plain_type(annotation: Any) -> Any:
    """Remove ``Annotated`` and ``None`` from an annotation: ``X | None`` -> ``X``.

    A union of several types is ``OPEN``.
    """
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            if len(options) != 1:
                return OPEN
            annotation = options[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _list_item(annotation: Any) -> Any | None:
    """The item type if ``annotation`` is a list or tuple type, otherwise ``None``."""
    origin = get_origin(annotation)
    if origin in (list, tuple, set, frozenset) or annotation in (list, tuple):
        args = [a for a in get_args(annotation) if a is not Ellipsis]
        return args[0] if args else OPEN
    return None


def is_list_type(annotation: Any) -> bool:
    """True when a field holds a list (``list[Email]``, ``list[str] | None``...)."""
    return _list_item(plain_type(annotation)) is not None


def _is_open(annotation: Any) -> bool:
    origin = get_origin(annotation)
    return annotation in (OPEN, object, dict) or origin in (dict, Mapping)


def _type_name(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation)


def _properties(model: type[BaseModel]) -> list[str]:
    return [name for name in dir(model)
            if not name.startswith(("_", "model_")) and isinstance(getattr(model, name, None), property)]


def _field_names(model: type[BaseModel], *, writable: bool) -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        if writable and issubclass(model, Record) and name in ENVELOPE_FIELDS:
            continue
        kind = plain_type(field_type(field))
        if name == "remote_data":
            names.append("remote_data.<path>")
        elif _is_open(kind):
            names.append(f"{name}.<key>")
        else:
            names.append(name)
    if not writable:
        names.extend(_properties(model))
    return sorted(names)


def writable_fields(model: type[BaseModel]) -> list[str]:
    """The target paths a mapping may write in ``model``, as its errors list them
    (``custom.<key>`` for an open table)."""
    return _field_names(model, writable=True)


def _resolve(model: type[BaseModel], parts: tuple[str, ...], *, writable: bool) -> Any:
    current: Any = model
    for depth, part in enumerate(parts):
        where = ".".join(parts[:depth]) or model.__name__
        kind = plain_type(current)
        if _is_open(kind):
            return OPEN
        if _is_model(kind):
            current = _model_member(kind, part, writable=writable, where=where)
            continue
        item = _list_item(kind)
        if item is not None:
            if writable:
                raise PathError(f"{where} is a list and is mapped as a whole, "
                                f"not item by item ({'.'.join(parts)!r})", [])
            if part != WILDCARD and not part.lstrip("-").isdigit():
                raise PathError(f"{where} is a list: follow it with an index (0, 1, -1) "
                                f"or * for every item, not {part!r}", [])
            current = item
            continue
        raise PathError(f"{where} is a {_type_name(kind)} value and has no field {part!r}", [])
    return current


def _model_member(model: type[BaseModel], part: str, *, writable: bool, where: str) -> Any:
    field = model.model_fields.get(part)
    hidden = writable and issubclass(model, Record) and part in ENVELOPE_FIELDS
    if field is not None and not hidden:
        return field_type(field)
    if not writable and part in _properties(model):
        return OPEN
    what = "target" if writable else "source"
    if hidden:
        message = f"{part!r} is kept by pontes and cannot be a mapping target"
    else:
        message = f"unknown {what} field {part!r} in {model.__name__}"
    if where != model.__name__:
        message += f" (at {where})"
    raise PathError(message, _field_names(model, writable=writable))


def resolve_source(model: type[BaseModel], path: str) -> Any:
    """The type found at a source path of ``model`` (``OPEN`` when unknown), or ``PathError``."""
    return _resolve(model, parse_path(path), writable=False)


def resolve_target(model: type[BaseModel], path: str) -> Any:
    """The annotation of the field a target path writes, or ``PathError``.

    Target paths never enter lists and never write the envelope fields (``id``, ``refs``,
    ``remote_data``, ``remote_updated_at``) of a record.
    """
    return _resolve(model, parse_path(path), writable=True)


def read(record: Any, parts: tuple[str, ...]) -> Any:
    """The value at ``parts`` in a model or dict, or ``None`` where anything is missing.

    ``*`` maps the rest of the path over every item of a list and drops missing results.
    """
    if not parts:
        return record
    if record is None:
        return None
    part, rest = parts[0], parts[1:]
    if part == WILDCARD:
        if not isinstance(record, list | tuple):
            return None
        found = (read(item, rest) for item in record)
        return [value for value in found if value is not None]
    return read(_child(record, part), rest)


def _child(record: Any, part: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(part)
    if isinstance(record, list | tuple):
        if not part.lstrip("-").isdigit():
            return None
        index = int(part)
        return record[index] if -len(record) <= index < len(record) else None
    if isinstance(record, BaseModel):
        model = type(record)
        if part in model.model_fields or isinstance(getattr(model, part, None), property):
            return getattr(record, part)
    return None


def assign(target: dict[str, Any], parts: tuple[str, ...], value: Any) -> None:
    """Set ``value`` at ``parts`` in ``target``, creating (or copying) the dicts on the way.

    A model met on the way is replaced by its dict so the new value can be merged into it;
    dicts met on the way are copied, so the caller's nested dicts are never changed.
    """
    node = target
    for part in parts[:-1]:
        child = node.get(part)
        if isinstance(child, BaseModel):
            child = child.model_dump()
        elif isinstance(child, Mapping):
            child = dict(child)
        else:
            child = {}
        node[part] = child
        node = child
    node[parts[-1]] = value
