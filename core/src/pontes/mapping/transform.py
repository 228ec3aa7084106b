"""What a value transform is: a name, an options model and ``apply(value, options, context)``.

A mapping rule such as ``{from: remote_data.valor, transform: br_decimal, places: 2}``
names a transform and gives its options inline. The options are validated against the
transform's ``options`` model when the configuration loads (unknown options are refused),
``prepare`` may check them further against the mapping's models, and ``apply`` runs on
every record. ``apply`` raises ``TransformError`` for a value it cannot convert; the
mapping turns that into a ``PermanentFailure`` that names the field, the source and the
value.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ..errors import ConfigError

__all__ = [
    "CompileContext",
    "Transform",
    "TransformContext",
    "TransformError",
    "TransformOptions",
]


class TransformError(ValueError):
    """A value that a transform cannot convert. The message describes the value's problem."""


class TransformOptions(BaseModel):
    """Base of every transform's options: frozen, and unknown options are refused.

    The keys ``from``, ``template``, ``value`` and ``transform`` belong to the mapping rule
    itself, so no option may use those names.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class CompileContext:
    """What ``Transform.prepare`` knows about the rule it is being configured for.

    - ``where``: the key path of the rule (``integrations.x.mapping.deal.status``);
    - ``source_model`` / ``target_model``: the models the mapping reads and writes;
    - ``target_type``: the annotation of the target field (``Any`` for open paths such as
      ``custom.<key>``);
    - ``check_source(path, key)``: raises ``ConfigError`` unless ``path`` is a readable
      source path; ``key`` names the option holding the path, for the message.
    """

    where: str
    source_model: type[BaseModel]
    target_model: type[BaseModel]
    target_type: Any
    check_source: Callable[[str, str], None]

    def error(self, key: str | None, message: str) -> ConfigError:
        """A ``ConfigError`` about ``key`` (an option of this rule, or the rule itself)."""
        path = f"{self.where}.{key}" if key else self.where
        return ConfigError(f"{path}: {message}")


@dataclass(frozen=True)
class TransformContext:
    """What ``Transform.apply`` may know besides the value.

    - ``source``: the whole source record (a canonical model, or a dict of one);
    - ``target``: the target field being filled (``company.name``, ``custom.utm_source``);
    - ``path``: the source path the value came from, if it came from one;
    - ``read(path)``: the value at another source path of the same record.
    """

    source: Any
    target: str
    path: str | None
    read: Callable[[str], Any]


class Transform(ABC):
    """A named, typed conversion of one value, usable in any field mapping.

    Subclasses set:

    - ``name``: the word operators write after ``transform:``;
    - ``options``: a ``TransformOptions`` subclass (the default accepts no options);
    - ``elementwise``: when true (the default), a list value is converted item by item and
      items that become ``None`` are dropped;
    - ``handles_missing``: when false (the default), a missing value (``None``) stays
      missing without calling ``apply``.

    and implement ``apply``. Register instances through the ``register_transforms`` hook:
    ``return {"my_transform": MyTransform()}``.
    """

    name: ClassVar[str]
    options: ClassVar[type[TransformOptions]] = TransformOptions
    elementwise: ClassVar[bool] = True
    handles_missing: ClassVar[bool] = False

    @property
    def description(self) -> str:
        """The first line of the class docstring, for listings."""
        doc = (type(self).__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""

    def parse_options(self, raw: Mapping[str, Any]) -> TransformOptions:
        """Validate the options written in a mapping rule (raises ``pydantic.ValidationError``)."""
        return self.options.model_validate(dict(raw))

    def prepare(self, options: TransformOptions, context: CompileContext) -> TransformOptions:
        """Check the options against the mapping's models at config load; return the options
        to use at run time (possibly refined). Raise ``context.error(...)`` when they don't fit.
        """
        return options

    @abstractmethod
    def apply(self, value: Any, options: TransformOptions, context: TransformContext) -> Any:
        """Convert ``value``; raise ``TransformError`` when it cannot be converted."""

    def __repr__(self) -> str:
        return f"<transform {self.name}>"
