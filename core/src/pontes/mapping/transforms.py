"""The value transforms that ship with pontes (see ``docs/mapping.md`` for each one's options).

Parsing transforms (numbers, dates, booleans) read blank text as a missing value, so an
empty vendor field leaves the target unset instead of failing.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import Field, PrivateAttr, field_validator

from ..models import DealStatus, TicketStatus, phone_e164
from .paths import plain_type
from .template import Template
from .transform import (
    CompileContext,
    Transform,
    TransformContext,
    TransformError,
    TransformOptions,
)
from .values import (
    EpochUnit,
    parse_br_decimal,
    parse_datetime,
    parse_decimal,
    to_decimal,
)

__all__ = ["BUILTIN_TRANSFORMS", "STATUS_ENUMS", "builtin_transforms"]

STATUS_ENUMS: dict[str, type[Enum]] = {"ticket": TicketStatus, "deal": DealStatus}
"""The canonical status enums the ``status`` transform maps onto, by the ``of:`` option."""

Invalid = Literal["error", "keep", "drop"]


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _text(value: Any, transform: str) -> str:
    if not isinstance(value, str):
        raise TransformError(f"{transform} expects text, got {type(value).__name__} {value!r}")
    return value


def _as_text(value: Any) -> str:
    """Any scalar as text: enums by value, decimals without exponent, dates in ISO 8601."""
    if isinstance(value, str):
        return value
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    raise TransformError(f"cannot write {type(value).__name__} {value!r} as text")


# --- dates ----------------------------------------------------------------------------


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}; use an IANA name such as "
                         f"America/Sao_Paulo or UTC") from exc
    return value


class _ZoneOptions(TransformOptions):
    timezone: str = "UTC"
    format: str | None = None
    epoch: EpochUnit = "seconds"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return _check_zone(value)

    @property
    def zone(self) -> ZoneInfo:
        """The time zone of values written without an offset."""
        return ZoneInfo(self.timezone)


class UtcDateTime(Transform):
    """Vendor date and time text, epoch numbers or datetimes -> an aware UTC datetime.

    Options: ``timezone`` (IANA name of values without an offset; default UTC, as Movidesk
    writes them; Ploomes webhooks need America/Sao_Paulo), ``format`` (``strptime`` codes
    for non-ISO text such as ``%d/%m/%Y %H:%M``), ``epoch`` (seconds or milliseconds).
    """

    name = "utc_datetime"
    options = _ZoneOptions

    def apply(self, value: Any, options: _ZoneOptions, context: TransformContext) -> Any:
        if _blank(value):
            return None
        return parse_datetime(value, zone=options.zone, fmt=options.format, epoch=options.epoch)


class _DayOptions(_ZoneOptions):
    day_timezone: str | None = None

    @field_validator("day_timezone")
    @classmethod
    def _known_day_zone(cls, value: str | None) -> str | None:
        return None if value is None else _check_zone(value)

    @property
    def day_zone(self) -> ZoneInfo:
        """The time zone whose calendar gives the day of an instant."""
        return ZoneInfo(self.day_timezone or self.timezone)


class CalendarDate(Transform):
    """A calendar date from a date, a datetime, date text or an epoch number.

    Options as ``utc_datetime``, plus ``day_timezone``: the zone whose calendar gives the
    day (default: ``timezone``). ``2024-03-01T01:00:00`` from Movidesk (UTC) is
    29 February with ``day_timezone: America/Sao_Paulo``.
    """

    name = "date"
    options = _DayOptions

    def apply(self, value: Any, options: _DayOptions, context: TransformContext) -> Any:
        if _blank(value):
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        moment = parse_datetime(value, zone=options.zone, fmt=options.format,
                                epoch=options.epoch)
        return moment.astimezone(options.day_zone).date()


# --- numbers --------------------------------------------------------------------------


class _NumberOptions(TransformOptions):
    places: int | None = Field(default=None, ge=0, le=28)


def _rounded(number: Decimal, places: int | None) -> Decimal:
    if places is None:
        return number
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class BrDecimal(Transform):
    """Brazilian number text (``1.530,75``, ``-1.000``, ``R$ 10,5``) or a number -> Decimal.

    Option ``places`` rounds half up to that many decimals.
    """

    name = "br_decimal"
    options = _NumberOptions

    def apply(self, value: Any, options: _NumberOptions, context: TransformContext) -> Any:
        if _blank(value):
            return None
        return _rounded(to_decimal(value, parse_br_decimal), options.places)


class PlainDecimal(Transform):
    """Decimal text with a point (``1530.75``) or a number -> Decimal. Option ``places``."""

    name = "decimal"
    options = _NumberOptions

    def apply(self, value: Any, options: _NumberOptions, context: TransformContext) -> Any:
        if _blank(value):
            return None
        return _rounded(to_decimal(value, parse_decimal), options.places)


class Integer(Transform):
    """A whole number from an int, integral decimal or float, or digit text."""

    name = "integer"

    def apply(self, value: Any, options: TransformOptions, context: TransformContext) -> Any:
        if _blank(value):
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        number = to_decimal(value)
        if number != number.to_integral_value():
            raise TransformError(f"{value!r} is not a whole number")
        return int(number)


class Boolean(Transform):
    """Yes/no words (true/false, sim/não, yes/no, 1/0, on/off) or 0/1 -> a bool.

    Options ``true_values`` and ``false_values`` replace the accepted words.
    """

    name = "bool"

    class Options(TransformOptions):
        true_values: list[str] = ["true", "t", "yes", "y", "sim", "s", "1", "on", "verdadeiro"]
        false_values: list[str] = ["false", "f", "no", "n", "não", "nao", "0", "off", "falso"]

    options = Options

    def apply(self, value: Any, options: Options, context: TransformContext) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if _blank(value):
            return None
        if isinstance(value, str):
            word = value.strip().casefold()
            if word in {w.casefold() for w in options.true_values}:
                return True
            if word in {w.casefold() for w in options.false_values}:
                return False
        raise TransformError(
            f"{value!r} is not a yes/no value; accepted: "
            f"{', '.join(options.true_values)} / {', '.join(options.false_values)}"
        )


# --- value lists ----------------------------------------------------------------------


def map_key(value: Any) -> str:
    """How a value is looked up in a ``values:`` table (YAML keys may be ints or bools)."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class MapOptions(TransformOptions):
    """``values``: source value -> result; ``default``: the result for anything else."""

    values: dict[str, Any]
    default: Any = None
    ignore_case: bool = False

    @field_validator("values", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {map_key(k): v for k, v in value.items()}
        return value

    @property
    def has_default(self) -> bool:
        """True when the mapping wrote a ``default`` (which may be null)."""
        return "default" in self.model_fields_set


def _shown(keys: list[str], limit: int = 20) -> str:
    listed = ", ".join(repr(k) for k in keys[:limit])
    more = len(keys) - limit
    return f"{listed} and {more} more" if more > 0 else listed or "none"


class MapValues(Transform):
    """A value looked up in a table: ``values: {Alta: high, Baixa: low}``.

    A value missing from the table gives ``default`` when one is set, otherwise an error
    naming the value and the table's keys. ``ignore_case: true`` compares case-blind.
    """

    name = "map"
    options = MapOptions

    def apply(self, value: Any, options: MapOptions, context: TransformContext) -> Any:
        key = map_key(value)
        if options.ignore_case:
            table = {k.strip().casefold(): v for k, v in options.values.items()}
            key = key.strip().casefold()
        else:
            table = options.values
        if key in table:
            return table[key]
        if options.has_default:
            return options.default
        raise TransformError(f"{value!r} is not in the map and the map has no default; "
                             f"mapped values: {_shown(list(options.values))}")


class EnumValues(MapValues):
    """The same as ``map``: a value looked up in a ``values:`` table."""

    name = "enum"


class StatusOptions(MapOptions):
    """``map`` options plus ``of``: ``ticket`` or ``deal`` (found from the target if left out)."""

    of: Literal["ticket", "deal"] | None = None


class Status(MapValues):
    """Vendor statuses -> canonical ticket or deal statuses, checked at config load.

    Options as ``map``; the results must be statuses of the target field's kind
    (``TicketStatus`` or ``DealStatus``), or of ``of: ticket|deal`` for other targets.
    """

    name = "status"
    options = StatusOptions

    def prepare(self, options: StatusOptions, context: CompileContext) -> StatusOptions:
        target = plain_type(context.target_type)
        found = next((kind for kind, enum in STATUS_ENUMS.items() if target is enum), None)
        kind = options.of or found
        if kind is None:
            raise context.error("of", f"the target is not a status field; say which statuses "
                                      f"with of: {' or '.join(STATUS_ENUMS)}")
        if found is not None and kind != found:
            raise context.error("of", f"the target holds {found} statuses, not {kind} statuses")
        enum = STATUS_ENUMS[kind]
        allowed = ", ".join(member.value for member in enum)

        def member(result: Any, key: str) -> Enum:
            try:
                return enum(result)
            except ValueError:
                raise context.error(key, f"{result!r} is not a {kind} status; "
                                         f"allowed: {allowed}") from None

        update: dict[str, Any] = {
            "of": kind,
            "values": {k: member(v, f"values.{k}") for k, v in options.values.items()},
        }
        if options.has_default and options.default is not None:
            update["default"] = member(options.default, "default")
        return options.model_copy(update=update)


# --- contacts -------------------------------------------------------------------------


class PhoneOptions(TransformOptions):
    """``region``: where numbers without a country code are from; ``invalid``: what to do
    with a number that is not valid there (``error``, ``keep`` it as written, ``drop`` it)."""

    region: str = "BR"
    invalid: Invalid = "error"

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        region = value.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"unknown region {value!r}; use a two-letter code such as BR, "
                             f"PT or US")
        return region


def _invalid(value: str, how: Invalid, reason: str) -> str | None:
    if how == "keep":
        return value.strip()
    if how == "drop":
        return None
    raise TransformError(reason)


class PhoneE164(Transform):
    """A phone number in any common writing -> E.164 (``(11) 91234-5678`` -> ``+5511912345678``).

    Options: ``region`` (default BR), ``invalid`` (error, keep or drop).
    """

    name = "phone_e164"
    options = PhoneOptions

    def apply(self, value: Any, options: PhoneOptions, context: TransformContext) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        text = _text(value, self.name).strip()
        if not text:
            return None
        number = phone_e164(text, options.region)
        if number is None:
            return _invalid(text, options.invalid,
                            f"{value!r} is not a valid phone number (region {options.region})")
        return number


class EmailOptions(TransformOptions):
    """``invalid``: what to do with text that is not an e-mail address."""

    invalid: Invalid = "error"


class Email(Transform):
    """An e-mail address trimmed and lower-cased, its syntax checked. Option ``invalid``."""

    name = "email"
    options = EmailOptions

    def apply(self, value: Any, options: EmailOptions, context: TransformContext) -> Any:
        text = _text(value, self.name).strip()
        if text.lower().startswith("mailto:"):
            text = text[len("mailto:"):]
        if not text:
            return None
        address = text.lower()
        try:
            validate_email(address, check_deliverability=False)
        except EmailNotValidError as exc:
            return _invalid(text, options.invalid, f"{value!r} is not an e-mail address: {exc}")
        return address


# --- text -----------------------------------------------------------------------------


class TemplateOptions(TransformOptions):
    """``text``: the template; ``{value}`` is the value being transformed."""

    text: str
    _template: Template = PrivateAttr()

    @field_validator("text")
    @classmethod
    def _parses(cls, value: str) -> str:
        Template.parse(value)
        return value

    def model_post_init(self, context: Any) -> None:
        """Parse the template once."""
        self._template = Template.parse(self.text)

    @property
    def template(self) -> Template:
        """The parsed template."""
        return self._template


class TemplateText(Transform):
    """Text built from a template over the source record: ``text: "#{number} {value}"``.

    Placeholders are source paths, checked at config load; ``{value}`` is the value the
    rule's ``from`` gave.
    """

    name = "template"
    options = TemplateOptions
    elementwise = False
    handles_missing = True

    def prepare(self, options: TemplateOptions, context: CompileContext) -> TemplateOptions:
        for path in options.template.placeholders:
            if path != "value":
                context.check_source(path, "text")
        return options

    def apply(self, value: Any, options: TemplateOptions, context: TransformContext) -> Any:
        def read(parts: tuple[str, ...]) -> Any:
            return value if parts == ("value",) else context.read(".".join(parts))

        return options.template.render(read)


class Lower(Transform):
    """Text in lower case."""

    name = "lower"

    def apply(self, value: Any, options: TransformOptions, context: TransformContext) -> Any:
        return _text(value, self.name).lower()


class Upper(Transform):
    """Text in upper case."""

    name = "upper"

    def apply(self, value: Any, options: TransformOptions, context: TransformContext) -> Any:
        return _text(value, self.name).upper()


class Strip(Transform):
    """Text without leading and trailing blanks (or the characters in option ``chars``)."""

    name = "strip"

    class Options(TransformOptions):
        chars: str | None = None

    options = Options

    def apply(self, value: Any, options: Options, context: TransformContext) -> Any:
        return _text(value, self.name).strip(options.chars)


class Text(Transform):
    """Any single value as text (numbers, decimals, dates in ISO 8601, enums by value)."""

    name = "text"

    def apply(self, value: Any, options: TransformOptions, context: TransformContext) -> Any:
        return _as_text(value)


class Join(Transform):
    """A list as one text, items separated by ``sep`` (default ", "); blanks are skipped."""

    name = "join"
    elementwise = False

    class Options(TransformOptions):
        sep: str = ", "

    options = Options

    def apply(self, value: Any, options: Options, context: TransformContext) -> Any:
        items = value if isinstance(value, list | tuple) else [value]
        texts = [_as_text(item) for item in items if item is not None]
        return options.sep.join(t for t in texts if t.strip())


class Split(Transform):
    """Text cut at ``sep`` (default ",") into a list of trimmed, non-blank items."""

    name = "split"
    elementwise = False

    class Options(TransformOptions):
        sep: str = Field(default=",", min_length=1)

    options = Options

    def apply(self, value: Any, options: Options, context: TransformContext) -> Any:
        parts = _text(value, self.name).split(options.sep)
        return [part.strip() for part in parts if part.strip()]


class Default(Transform):
    """The value, or the constant ``fallback`` when the value is missing or blank."""

    name = "default"
    elementwise = False
    handles_missing = True

    class Options(TransformOptions):
        fallback: Any

    options = Options

    def apply(self, value: Any, options: Options, context: TransformContext) -> Any:
        if value is None or _blank(value) or value == []:
            return options.fallback
        return value


BUILTIN_TRANSFORMS: tuple[Transform, ...] = (
    UtcDateTime(), CalendarDate(), BrDecimal(), PlainDecimal(), Integer(), Boolean(),
    MapValues(), EnumValues(), Status(), PhoneE164(), Email(), TemplateText(), Lower(),
    Upper(), Strip(), Text(), Join(), Split(), Default(),
)
"""One instance of every built-in transform."""


def builtin_transforms() -> dict[str, Transform]:
    """The built-in transforms by name, as ``register_transforms`` returns them."""
    return {transform.name: transform for transform in BUILTIN_TRANSFORMS}
