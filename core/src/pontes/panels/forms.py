"""The panel's create forms, built from the CRM's field metadata, and what they post.

"Create contact" asks for the name, e-mails and phones (prefilled from the helpdesk
client) and the contact fields the CRM requires; "Create deal" for the title, amount,
stage, responsible user and the deal fields the CRM requires (in any stage; those a
CRM requires only in some stages are checked against the stage chosen). A field with
choices is a select. Custom values are written as the CRMs that list fields keep them:
a list of ``{"value": ...}`` or ``{"enum_id": ...}`` entries, by field id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.datastructures import FormData

from ..capabilities import FieldInfo
from ..models import Contact, Deal, UserRef, normalize_email, normalize_phone
from ..recipes.crm_metadata import CrmMetadata
from .context import PanelContext

MULTIPLE_CHOICE_TYPES = frozenset({"multiselect", "checkbox_list"})
CUSTOM_PREFIX = "field_"
"""Form names of custom fields: ``field_<id>``."""


@dataclass
class FormField:
    """One input of a form: its name, label, kind (``text``, ``email``, ``tel``,
    ``number``, ``select``, ``multiselect``), whether it is required, its choices
    (``(value, label)``, or groups ``(label, [(value, label)])`` for ``stage``), its value,
    the stages that require it (a field required only in some) and the error shown under
    it."""

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    choices: list[Any] = field(default_factory=list)
    value: Any = ""
    required_in: list[str] = field(default_factory=list)
    error: str = ""


@dataclass
class Form:
    """A form's fields and the message over them when it was refused."""

    fields: list[FormField]
    error: str = ""

    def get(self, name: str) -> FormField:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)

    @property
    def valid(self) -> bool:
        """Whether no field has an error."""
        return not any(f.error for f in self.fields) and not self.error

    def fill(self, form: FormData) -> None:
        """Put the posted values into the fields (a select of several: every value)."""
        for item in self.fields:
            item.value = (form.getlist(item.name) if item.kind == "multiselect"
                          else str(form.get(item.name) or "").strip())


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _custom_field(info: FieldInfo, *, required: bool,
                  required_in: list[str] | None = None) -> FormField:
    kind = ("multiselect" if info.type in MULTIPLE_CHOICE_TYPES and info.choices
            else "select" if info.choices else "text")
    return FormField(CUSTOM_PREFIX + info.id, info.name, kind, required=required,
                     choices=[(c.id, c.value) for c in info.choices],
                     value=[] if kind == "multiselect" else "",
                     required_in=required_in or [])


def _required(fields: list[FieldInfo] | None) -> list[FieldInfo]:
    return [f for f in fields or [] if f.required or f.required_stages]


def contact_form(context: PanelContext, metadata: CrmMetadata) -> Form:
    """"Create contact", prefilled from the helpdesk client."""
    fields = [
        FormField("name", "Name", required=True, value=context.name or ""),
        FormField("emails", "E-mails", "email", value=", ".join(context.emails)),
        FormField("phones", "Phones", "tel", value=", ".join(context.phones)),
    ]
    fields += [_custom_field(f, required=True) for f in _required(metadata.contact_fields)]
    return Form(fields)


def deal_form(metadata: CrmMetadata) -> Form:
    """"Create deal", with the CRM's stages, users and required deal fields."""
    fields = [FormField("title", "Title", required=True), FormField("amount", "Amount",
                                                                    "number")]
    if metadata.pipelines:
        groups = [(p.name, [(f"{p.id}:{s.id}", s.name) for s in p.stages])
                  for p in metadata.pipelines]
        first = next((options[0][0] for _, options in groups if options), "")
        fields.append(FormField("stage", "Stage", "select", required=True, choices=groups,
                                value=first))
    if metadata.users:
        fields.append(FormField("owner", "Responsible", "select",
                                choices=[("", "—")] + [(u.id, u.name or u.email or u.id)
                                                       for u in metadata.users]))
    for info in _required(metadata.deal_fields):
        stages = [metadata.stage_name(_pipeline_of(metadata, s), s) or s
                  for s in info.required_stages]
        fields.append(_custom_field(info, required=not stages, required_in=stages))
    return Form(fields)


def _pipeline_of(metadata: CrmMetadata, stage_id: str) -> str | None:
    return next((p.id for p in metadata.pipelines or []
                 if any(s.id == stage_id for s in p.stages)), None)


def _custom_values(form: Form, metadata_fields: list[FieldInfo] | None,
                   stage: str | None) -> dict[str, Any]:
    custom: dict[str, Any] = {}
    for info in metadata_fields or []:
        item = next((f for f in form.fields if f.name == CUSTOM_PREFIX + info.id), None)
        if item is None:
            continue
        needed = item.required or (stage is not None and stage in info.required_stages)
        values = item.value if isinstance(item.value, list) else [item.value]
        values = [v for v in values if v]
        if not values:
            if needed:
                item.error = "Required."
            continue
        if info.choices:
            known = {c.id for c in info.choices}
            if any(v not in known for v in values):
                item.error = "Choose one of the listed values."
                continue
            custom[info.id] = [{"enum_id": int(v) if v.isdigit() else v} for v in values]
        else:
            custom[info.id] = [{"value": v} for v in values]
    return custom


def contact_draft(form: Form, metadata: CrmMetadata) -> Contact | None:
    """The contact a filled "Create contact" form describes, or ``None`` (the fields
    carry the errors)."""
    name = form.get("name")
    if not name.value:
        name.error = "Required."
    emails = [normalize_email(e) for e in _split(form.get("emails").value)]
    if any(not _looks_like_email(e) for e in emails):
        form.get("emails").error = "Give e-mail addresses, separated by commas."
    phones = [normalize_phone(p) for p in _split(form.get("phones").value)]
    custom = _custom_values(form, metadata.contact_fields, None)
    if not form.valid:
        return None
    return Contact(name=name.value, emails=emails, phones=phones, custom=custom)


def _looks_like_email(text: str) -> bool:
    local, _, domain = text.partition("@")
    return bool(local) and "." in domain and " " not in text


def deal_draft(form: Form, metadata: CrmMetadata) -> Deal | None:
    """The deal a filled "Create deal" form describes, or ``None`` (the fields carry the
    errors)."""
    title = form.get("title")
    if not title.value:
        title.error = "Required."
    amount = None
    if form.get("amount").value:
        try:
            amount = Decimal(form.get("amount").value)
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            form.get("amount").error = "Give a number."
    pipeline = stage = None
    if any(f.name == "stage" for f in form.fields):
        pipeline, _, stage = form.get("stage").value.partition(":")
        if not stage or metadata.stage_name(pipeline, stage) is None:
            form.get("stage").error = "Choose a stage."
            pipeline = stage = None
    owner = None
    if any(f.name == "owner" for f in form.fields) and form.get("owner").value:
        owner = form.get("owner").value
        if metadata.user_name(owner) is None:
            form.get("owner").error = "Choose one of the listed users."
    custom = _custom_values(form, metadata.deal_fields, stage)
    if not form.valid:
        return None
    return Deal(title=title.value, amount=amount, pipeline=pipeline, stage=stage,
                owner=UserRef(remote_id=owner) if owner else None, custom=custom)


def shown_value(value: Any, info: FieldInfo | None = None) -> str:
    """A custom value as text: a list of value entries joined, a choice by its name."""
    if value is None or value == "" or value == []:
        return ""
    items = value if isinstance(value, list) else [value]
    names = {c.id: c.value for c in info.choices} if info is not None else {}
    shown = []
    for item in items:
        if isinstance(item, dict):
            text = item.get("value")
            if text is None and item.get("enum_id") is not None:
                text = names.get(str(item["enum_id"]), item["enum_id"])
            shown.append("" if text is None else str(text))
        else:
            shown.append(str(item))
    return ", ".join(s for s in shown if s)
