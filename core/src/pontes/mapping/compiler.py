"""Compiling a mapping spec (checked once, at config load) and applying it to records.

A spec is a table ``target field -> rule``. A rule is a source path (``"subject"``,
``"remote_data.clients.0.email"``) or a table with one producer (``from: path``,
``template: "text {path}"`` or ``value: constant``), optionally a ``transform:`` name and
that transform's options inline. A rule of ``null`` maps nothing (it switches off a
recipe's default for that target).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..errors import ConfigError, PermanentFailure
from .paths import (
    OPEN,
    PathError,
    assign,
    is_list_type,
    parse_path,
    read,
    resolve_source,
    resolve_target,
)
from .template import Template
from .transform import (
    CompileContext,
    Transform,
    TransformContext,
    TransformError,
    TransformOptions,
)

__all__ = ["RULE_KEYS", "CompiledMapping", "FieldRule", "compile_mapping"]

PRODUCERS = ("from", "template", "value")
RULE_KEYS = (*PRODUCERS, "transform")
"""The keys of a rule table that are not transform options."""

_VALUE_CLIP = 120
_BAD_VALUE = (TransformError, ValueError, TypeError, ArithmeticError)


def _clip(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _VALUE_CLIP else f"{text[:_VALUE_CLIP]}..."


def _first_error(exc: ValidationError) -> tuple[str, str, str]:
    """(location, message, error type) of the first error, without pydantic's prefixes."""
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    return location, message, error["type"]


@dataclass(frozen=True)
class FieldRule:
    """One compiled rule: where a value comes from, how it is converted, where it goes.

    Exactly one of ``source`` (a path), ``template`` and ``constant`` (with
    ``has_constant``) produces the value, or none when a transform makes it alone.
    """

    target: str
    target_parts: tuple[str, ...]
    source: str | None = None
    source_parts: tuple[str, ...] | None = None
    template: Template | None = None
    constant: Any = None
    has_constant: bool = False
    transform: Transform | None = None
    options: TransformOptions | None = None
    adapter: TypeAdapter | None = None
    many: bool = False

    @property
    def origin(self) -> str:
        """Where the value comes from, for messages."""
        if self.source is not None:
            return f"{self.source!r}"
        if self.template is not None:
            return f"template {self.template.text!r}"
        if self.has_constant:
            return "constant"
        return f"transform {self.transform.name!r}" if self.transform else "nothing"

    def produce(self, record: Any) -> Any:
        """The value before any transform."""
        if self.source_parts is not None:
            return read(record, self.source_parts)
        if self.template is not None:
            return self.template.render(lambda parts: read(record, parts))
        return self.constant


@dataclass(frozen=True)
class CompiledMapping:
    """A checked mapping from ``source_model`` records to ``target_model`` field values."""

    where: str
    source_model: type[BaseModel]
    target_model: type[BaseModel]
    rules: tuple[FieldRule, ...]

    @property
    def targets(self) -> list[str]:
        """The target fields this mapping writes, in order."""
        return [rule.target for rule in self.rules]

    def apply(self, source_record: Any, target: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The mapped target values (nested dicts for dotted paths), merged into ``target``.

        ``source_record`` is a ``source_model`` instance or a dict of one. Missing values
        are left out, so ``target`` keeps what it had. ``target`` itself is not changed.
        Raises ``PermanentFailure`` naming the field, source and value that failed.
        """
        if isinstance(source_record, BaseModel) and not isinstance(source_record,
                                                                   self.source_model):
            raise TypeError(f"{self.where}: expected a {self.source_model.__name__} record, "
                            f"got {type(source_record).__name__}")
        result = dict(target) if target else {}
        for rule in self.rules:
            value = self._value(rule, source_record)
            if value is not None:
                assign(result, rule.target_parts, value)
        return result

    def build(self, source_record: Any, base: Mapping[str, Any] | None = None) -> BaseModel:
        """A ``target_model`` from ``base`` and the mapped values; ``PermanentFailure`` if invalid."""
        data = self.apply(source_record, base)
        try:
            return self.target_model.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]
            )
            raise PermanentFailure(f"{self.where}: the mapped {self.target_model.__name__} "
                                   f"is invalid: {problems}") from exc

    def _value(self, rule: FieldRule, record: Any) -> Any:
        try:
            raw = rule.produce(record)
        except _BAD_VALUE as exc:
            raise PermanentFailure(f"{self.where}.{rule.target}: cannot fill {rule.origin}: "
                                   f"{exc}") from exc
        value = raw
        if rule.transform is not None:
            try:
                value = self._transform(rule, raw, record)
            except _BAD_VALUE as exc:
                raise self._failure(rule, raw, str(exc)) from exc
        if value is None or rule.adapter is None:
            return value
        if rule.many and not isinstance(value, list | tuple):
            value = [value]
        try:
            return rule.adapter.validate_python(value)
        except ValidationError as exc:
            location, message, _ = _first_error(exc)
            reason = f"{message} (at {location})" if location else message
            raise self._failure(rule, raw, reason) from exc

    def _transform(self, rule: FieldRule, value: Any, record: Any) -> Any:
        transform, options = rule.transform, rule.options
        context = TransformContext(
            source=record, target=rule.target, path=rule.source,
            read=lambda path: read(record, parse_path(path)),
        )

        def one(item: Any) -> Any:
            if item is None and not transform.handles_missing:
                return None
            return transform.apply(item, options, context)

        if transform.elementwise and isinstance(value, list | tuple):
            return [out for out in (one(item) for item in value) if out is not None]
        return one(value)

    def _failure(self, rule: FieldRule, value: Any, reason: str) -> PermanentFailure:
        return PermanentFailure(f"{self.where}.{rule.target}: cannot map {rule.origin} "
                                f"value {_clip(value)}: {reason}")


def compile_mapping(spec: Mapping[str, Any] | None, *, source_model: type[BaseModel],
                    target_model: type[BaseModel], transforms: Mapping[str, Transform],
                    where: str) -> CompiledMapping:
    """Check a mapping spec against its models and transforms, and compile it.

    ``where`` is the key path of the spec in the configuration (it prefixes every
    message). Any unknown target field, source field, placeholder, transform or option
    raises ``ConfigError`` naming the key path and listing what is allowed.
    """
    if spec is None:
        spec = {}
    if not isinstance(spec, Mapping):
        raise ConfigError(f"{where}: expected a table of target field -> source, "
                          f"got {type(spec).__name__}")
    rules = []
    for target, rule in spec.items():
        if rule is None:
            continue
        rules.append(_RuleCompiler(str(target), f"{where}.{target}", source_model,
                                   target_model, transforms).compile(rule))
    return CompiledMapping(where, source_model, target_model, tuple(rules))


@dataclass
class _RuleCompiler:
    target: str
    key: str
    source_model: type[BaseModel]
    target_model: type[BaseModel]
    transforms: Mapping[str, Transform]

    def error(self, sub: str | None, message: str) -> ConfigError:
        return ConfigError(f"{self.key}.{sub}: {message}" if sub else f"{self.key}: {message}")

    def compile(self, rule: Any) -> FieldRule:
        try:
            target_type = resolve_target(self.target_model, self.target)
        except PathError as exc:
            raise self.error(None, str(exc)) from None
        if isinstance(rule, str):
            rule = {"from": rule}
        if not isinstance(rule, Mapping):
            raise self.error(None, f"expected a source path, or a table with one of "
                                   f"{', '.join(PRODUCERS)} (and optionally transform); "
                                   f"got {type(rule).__name__} {rule!r}")
        rule = {str(k): v for k, v in rule.items()}
        producers = [key for key in PRODUCERS if key in rule]
        if len(producers) > 1:
            raise self.error(None, f"use only one of {', '.join(PRODUCERS)}; "
                                   f"got {' and '.join(producers)}")
        if not producers and "transform" not in rule:
            raise self.error(None, f"nothing to map: give one of {', '.join(RULE_KEYS)}")
        options = {k: v for k, v in rule.items() if k not in RULE_KEYS}
        if options and "transform" not in rule:
            raise self.error(next(iter(options)), f"unknown key; allowed: {', '.join(RULE_KEYS)} "
                                                  f"(other keys are options of a transform)")
        fields: dict[str, Any] = {"target": self.target,
                                  "target_parts": parse_path(self.target),
                                  "many": is_list_type(target_type)}
        if target_type is not OPEN:
            fields["adapter"] = TypeAdapter(target_type)
        if "from" in rule:
            fields["source"] = self.source_path(rule["from"], "from")
            fields["source_parts"] = parse_path(fields["source"])
        elif "template" in rule:
            fields["template"] = self.template(rule["template"])
        elif "value" in rule:
            fields["constant"], fields["has_constant"] = rule["value"], True
        if "transform" in rule:
            fields["transform"], fields["options"] = self.transform(rule["transform"], options,
                                                                    target_type)
        compiled = FieldRule(**fields)
        if compiled.has_constant and compiled.transform is None:
            self.check_constant(compiled)
        return compiled

    def source_path(self, path: Any, sub: str, *, what: str = "") -> str:
        if not isinstance(path, str):
            raise self.error(sub, f"a source path must be text, got {type(path).__name__} "
                                  f"{path!r}")
        try:
            resolve_source(self.source_model, path)
        except PathError as exc:
            raise self.error(sub, f"{what}{exc}") from None
        return path.strip()

    def template(self, text: Any) -> Template:
        try:
            template = Template.parse(text)
        except ValueError as exc:
            raise self.error("template", str(exc)) from None
        for path in template.placeholders:
            self.source_path(path, "template", what=f"placeholder {{{path}}}: ")
        return template

    def transform(self, name: Any, raw: dict[str, Any],
                  target_type: Any) -> tuple[Transform, TransformOptions]:
        transform = self.transforms.get(name) if isinstance(name, str) else None
        if transform is None:
            raise self.error("transform", f"unknown transform {name!r}; allowed: "
                                          f"{', '.join(sorted(self.transforms)) or 'none'}")
        try:
            options = transform.parse_options(raw)
        except ValidationError as exc:
            raise self.options_error(transform, exc) from None
        context = CompileContext(
            where=self.key, source_model=self.source_model, target_model=self.target_model,
            target_type=target_type,
            check_source=lambda path, sub: self.source_path(
                path, sub, what=f"placeholder {{{path}}}: "),
        )
        return transform, transform.prepare(options, context)

    def options_error(self, transform: Transform, exc: ValidationError) -> ConfigError:
        location, message, kind = _first_error(exc)
        allowed = ", ".join(transform.options.model_fields) or "none"
        name = transform.name
        if kind == "extra_forbidden":
            return self.error(location, f"unknown option {location!r} for transform {name!r}; "
                                        f"allowed options: {allowed}")
        if kind == "missing":
            return self.error(None, f"transform {name!r} needs option {location!r}; "
                                    f"its options: {allowed}")
        return self.error(location, f"{message} (an option of transform {name!r})")

    def check_constant(self, rule: FieldRule) -> None:
        if rule.adapter is None or rule.constant is None:
            return
        value = rule.constant
        if rule.many and not isinstance(value, list | tuple):
            value = [value]
        try:
            rule.adapter.validate_python(value)
        except ValidationError as exc:
            _, message, _ = _first_error(exc)
            raise self.error("value", f"{rule.constant!r} does not fit {self.target}: "
                                      f"{message}") from None
