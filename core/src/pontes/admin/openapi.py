"""The admin API's OpenAPI document, generated from its operations and their models.

Each operation declares its query model, its body model and, per status, the model of its
answer (``Operation``); the JSON Schemas come from pydantic, so the document describes
exactly what the handlers validate and return.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.requests import Request
from starlette.responses import Response

from .. import __version__
from .models import ErrorAnswer

REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Operation:
    """One endpoint of the API: its route, its summary and the models of its parts.

    ``answers`` maps a status to ``(description, model)``, where the model is a pydantic
    class, ``list[Model]`` or ``None`` (no body described).
    """

    method: str
    path: str
    handler: Callable[[Request], Awaitable[Response]]
    summary: str
    answers: dict[int, tuple[str, Any]]
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    path_params: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def description(self) -> str:
        """The handler's docstring, the operation's longer description."""
        return (self.handler.__doc__ or "").strip()


UNAUTHORIZED = "No admin token, a wrong one, or none configured (PONTES_ADMIN_TOKEN)."


def _models(operations: Sequence[Operation]) -> list[tuple[type[BaseModel], str]]:
    found: dict[type[BaseModel], str] = {ErrorAnswer: "serialization"}
    for operation in operations:
        for _description, model in operation.answers.values():
            inner = get_args(model)[0] if get_origin(model) is list else model
            if inner is not None:
                found.setdefault(inner, "serialization")
        if operation.body is not None:
            found.setdefault(operation.body, "validation")
    return list(found.items())


def _schema_of(model: Any) -> dict[str, Any]:
    if get_origin(model) is list:
        return {"type": "array", "items": _schema_of(get_args(model)[0])}
    return {"$ref": REF.format(model=model.__name__)}


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema without the ``null`` of an optional field (an optional query
    parameter is left out, never sent as null)."""
    options = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(options) == 1:
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        return {**options[0], **rest}
    return schema


def _parameters(operation: Operation) -> list[dict[str, Any]]:
    parameters = [{"name": name, "in": "path", "required": True, "schema": schema}
                  for name, schema in operation.path_params.items()]
    if operation.query is not None:
        schema = operation.query.model_json_schema()
        required = set(schema.get("required", []))
        for name, prop in schema["properties"].items():
            prop = _without_null({k: v for k, v in prop.items() if k not in ("title",)})
            if prop.get("default") is None:
                prop.pop("default", None)
            entry = {"name": name, "in": "query", "required": name in required,
                     "schema": {k: v for k, v in prop.items() if k != "description"}}
            if "description" in prop:
                entry["description"] = prop["description"]
            parameters.append(entry)
    return parameters


def _responses(operation: Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, (description, model) in sorted(operation.answers.items()):
        entry: dict[str, Any] = {"description": description}
        if model is not None:
            entry["content"] = {"application/json": {"schema": _schema_of(model)}}
        responses[str(status)] = entry
    responses["401"] = {
        "description": UNAUTHORIZED,
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": _schema_of(ErrorAnswer)}},
    }
    return responses


def document(operations: Sequence[Operation]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``operations``."""
    _, schemas = models_json_schema(_models(operations), ref_template=REF)
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        entry: dict[str, Any] = {"summary": operation.summary,
                                 "description": operation.description,
                                 "operationId": operation.handler.__name__,
                                 "parameters": _parameters(operation),
                                 "responses": _responses(operation)}
        if operation.body is not None:
            entry["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": _schema_of(operation.body)}}}
        paths.setdefault(operation.path, {})[operation.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "pontes admin API", "version": __version__,
                 "description": "Inspect integrations and events, replay dead letters, edit "
                                "mappings. The admin pages at /admin use the same services."},
        "servers": [{"url": "/"}],
        "security": [{"adminToken": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"adminToken": {"type": "http", "scheme": "bearer",
                                               "description": "The value of "
                                                              "PONTES_ADMIN_TOKEN"}},
            "schemas": schemas.get("$defs", {}),
        },
    }
