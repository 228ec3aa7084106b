"""Field mapping (the seeds' "De > Para"): declared per integration, checked at config load.

An operator writes, per integration and mapping slot, a table ``target field -> rule``
(see ``docs/mapping.md``). ``compile_mapping`` checks it against the slot's source and
target models and the registered transforms, raising ``ConfigError`` with the key path;
``CompiledMapping.apply`` then turns each source record into target field values.
Plugins add transforms through the ``register_transforms`` hook.
"""

from .compiler import RULE_KEYS, CompiledMapping, FieldRule, compile_mapping
from .paths import PathError, resolve_source, resolve_target
from .template import Template
from .transform import (
    CompileContext,
    Transform,
    TransformContext,
    TransformError,
    TransformOptions,
)
from .transforms import builtin_transforms
from .values import DateOutOfRange, parse_br_decimal, parse_datetime, parse_decimal

__all__ = [
    "DateOutOfRange",
    "RULE_KEYS",
    "CompileContext",
    "CompiledMapping",
    "FieldRule",
    "PathError",
    "Template",
    "Transform",
    "TransformContext",
    "TransformError",
    "TransformOptions",
    "builtin_transforms",
    "compile_mapping",
    "parse_br_decimal",
    "parse_datetime",
    "parse_decimal",
    "resolve_source",
    "resolve_target",
]
