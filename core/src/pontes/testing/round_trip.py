"""Records for the mapper round trip: chosen fields set to values already in canonical form.

``records_with(Contact, ["name", "emails", "company.name"])`` draws contacts with exactly
those fields set, to values a vendor can store and give back unchanged: Brazilian phones
in E.164, lower-case e-mail addresses, names with accents, amounts with two decimals,
times in whole seconds in UTC. A field may be given as ``(path, strategy)`` to choose its
values yourself. (``pontes.testing.strategies`` has the opposite: values as people type
them, to exercise normalisation.)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, get_args, get_origin

from hypothesis import strategies as st
from pydantic import BaseModel

from ..mapping.paths import plain_type
from ..models import Record
from .strategies import BR_AREA_CODES

FieldSpec = str | tuple[str, st.SearchStrategy[Any]]
"""A field path (``"name"``, ``"company.name"``), or a path and the strategy for its values."""

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZáâãàçéêíóôõúÁÉÍÓÚÇ"


def words() -> st.SearchStrategy[str]:
    """One to four words of letters (accents included), single-spaced, never blank."""
    word = st.text(alphabet=_LETTERS + "0123456789", min_size=1, max_size=12)
    return st.lists(word, min_size=1, max_size=4).map(" ".join)


def canonical_emails() -> st.SearchStrategy[str]:
    """Plain lower-case e-mail addresses such as ``ana.souza@acme.com``."""
    return st.from_regex(r"[a-z][a-z0-9]{0,9}(\.[a-z0-9]{1,6})?@[a-z]{2,10}\.(com|com\.br|org)",
                         fullmatch=True)


def canonical_phones() -> st.SearchStrategy[str]:
    """Brazilian mobile numbers in E.164 (``+5511912345678``)."""
    return st.builds(lambda area, number: f"+55{area}9{number:08d}",
                     st.sampled_from(BR_AREA_CODES), st.integers(0, 99_999_999))


def canonical_tax_ids() -> st.SearchStrategy[str]:
    """CPF (11 digits) or CNPJ (14 digits) numbers, digits only."""
    return st.from_regex(r"[0-9]{11}|[0-9]{14}", fullmatch=True)


def urls() -> st.SearchStrategy[str]:
    """``https://`` URLs on example hosts."""
    return st.builds(lambda host, page: f"https://{host}.example.com/{page}",
                     st.from_regex(r"[a-z]{3,10}", fullmatch=True),
                     st.from_regex(r"[a-z0-9-]{0,12}", fullmatch=True))


def amounts() -> st.SearchStrategy[Decimal]:
    """Money amounts from 0 to 10 million with two decimals."""
    return st.decimals(min_value=0, max_value=Decimal("10000000"), places=2,
                       allow_nan=False, allow_infinity=False)


def utc_moments() -> st.SearchStrategy[datetime]:
    """UTC datetimes between 2000 and 2099, in whole seconds."""
    return st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31),
                        timezones=st.just(UTC)).map(
                            lambda moment: moment.replace(microsecond=0, fold=0))


_BY_NAME = {
    "email": canonical_emails, "emails": canonical_emails,
    "phone": canonical_phones, "phones": canonical_phones,
    "tax_id": canonical_tax_ids,
    "website": urls, "page_url": urls, "url": urls,
    "currency": lambda: st.sampled_from(["BRL", "USD", "EUR"]),
    "country": lambda: st.sampled_from(["BR", "PT", "US"]),
    "state": lambda: st.sampled_from(["SP", "RJ", "MG", "SC"]),
    "postal_code": lambda: st.from_regex(r"[0-9]{5}-[0-9]{3}", fullmatch=True),
    "utm": lambda: st.dictionaries(
        st.sampled_from(["source", "medium", "campaign", "content", "term"]), words(),
        min_size=1),
}
"""Fields whose values have a shape their type does not tell (matched by field name)."""


def records_with(model: type[Record], fields: Sequence[FieldSpec],
                 connection: str | None = None) -> st.SearchStrategy[Record]:
    """Records of ``model`` with the given fields (dotted paths into nested models) set.

    With ``connection``, each record also has a vendor id (digits) in ``refs[connection]``,
    as a record that exists at the vendor has.
    """
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for spec in fields:
        path, strategy = (spec, None) if isinstance(spec, str) else spec
        parts[path] = strategy if strategy is not None else for_path(model, path)
    if connection is not None:
        parts["refs"] = st.integers(1, 10**9).map(lambda number: {connection: str(number)})
    return st.fixed_dictionaries(parts).map(lambda values: model.model_validate(_nest(values)))


def for_path(model: type[BaseModel], path: str) -> st.SearchStrategy[Any]:
    """The strategy for the field at ``path`` in ``model``; ``TypeError`` when there is none."""
    *parents, name = path.split(".")
    owner = model
    for parent in parents:
        owner = _nested_model(owner, parent, path)
    field = owner.model_fields.get(name)
    if field is None:
        raise TypeError(f"{model.__name__} has no field {path!r}")
    return _for_type(name, field.annotation, f"{model.__name__}.{path}")


def _nested_model(owner: type[BaseModel], name: str, path: str) -> type[BaseModel]:
    field = owner.model_fields.get(name)
    inner = plain_type(field.annotation) if field is not None else None
    if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
        raise TypeError(f"{path!r}: {owner.__name__}.{name} is not a nested model")
    return inner


def _for_type(name: str, annotation: Any, where: str) -> st.SearchStrategy[Any]:
    kind = plain_type(annotation)
    origin = get_origin(kind)
    if origin is dict and name in _BY_NAME:
        return _BY_NAME[name]()
    if origin is list:
        (item,) = get_args(kind)
        return st.lists(_for_type(name, item, where), min_size=1, max_size=3,
                        unique_by=_identity)
    if origin is dict:
        return st.dictionaries(words(), words(), min_size=1, max_size=3)
    if name in _BY_NAME:
        return _BY_NAME[name]()
    if not isinstance(kind, type):
        raise TypeError(f"no strategy for {where} ({annotation!r}); give (path, strategy)")
    if issubclass(kind, Enum):
        return st.sampled_from(list(kind))
    if issubclass(kind, Record):
        raise TypeError(f"{where} is a whole record; name fields inside it, like "
                        f"'{where.split('.', 1)[1]}.name'")
    if issubclass(kind, BaseModel):
        return st.builds(kind, **{n: _for_type(n, f.annotation, f"{where}.{n}")
                                  for n, f in kind.model_fields.items()})
    simple = {bool: st.booleans, int: lambda: st.integers(0, 10**9), Decimal: amounts,
              datetime: utc_moments, date: lambda: st.dates(date(2000, 1, 1), date(2099, 12, 31)),
              str: words}
    for known, strategy in simple.items():
        if issubclass(kind, known):
            return strategy()
    raise TypeError(f"no strategy for {where} ({annotation!r}); give (path, strategy)")


def _identity(value: Any) -> Any:
    """What makes two list items the same (models compare by their JSON)."""
    return value.model_dump_json() if isinstance(value, BaseModel) else value


def _nest(values: dict[str, Any]) -> dict[str, Any]:
    """``{"company.name": "x"}`` -> ``{"company": {"name": "x"}}``."""
    nested: dict[str, Any] = {}
    for path, value in values.items():
        *parents, name = path.split(".")
        target = nested
        for parent in parents:
            target = target.setdefault(parent, {})
        target[name] = value
    return nested
