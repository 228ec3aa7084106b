"""Account webhooks as amoCRM sends them: form-encoded, bracket keys, API v2 field names,
every value a string, to every destination subscribed to the change."""

from __future__ import annotations

from typing import Any

from pontes.plugin import SandboxControl, flatten_form

from .state import ACCOUNT_ID, SUBDOMAIN, AmocrmState

SINGULAR = {"leads": "lead", "contacts": "contact", "companies": "company"}


def legacy(entity: str, record: dict[str, Any], old: dict[str, Any] | None) -> dict[str, Any]:
    """A record in API v2's names: ``date_create``, ``last_modified``, ``old_status_id``,
    ``custom_fields[n][values][m][value|enum]``."""
    item: dict[str, Any] = {
        "id": record["id"], "name": record.get("name"),
        "responsible_user_id": record.get("responsible_user_id"),
        "date_create": record.get("created_at"), "last_modified": record.get("updated_at"),
        "created_user_id": record.get("created_by"), "modified_user_id": record.get("updated_by"),
        "account_id": ACCOUNT_ID,
    }
    if entity == "leads":
        item.update(status_id=record.get("status_id"), pipeline_id=record.get("pipeline_id"),
                    price=record.get("price"))
        if old is not None:
            item.update(old_status_id=old.get("status_id"),
                        old_pipeline_id=old.get("pipeline_id"))
    item["custom_fields"] = [
        {"id": f.get("field_id"), "name": f.get("field_name"), "code": f.get("field_code"),
         "values": [{"value": v.get("value"), "enum": v.get("enum_id")}
                    for v in f.get("values") or []]}
        for f in record.get("custom_fields_values") or []]
    return item


def fire(control: SandboxControl, state: AmocrmState, entity: str, action: str,
         record: dict[str, Any], old: dict[str, Any] | None = None) -> None:
    """Post ``{entity}[{action}][0][...]`` to every webhook whose settings include
    ``{action}_{singular entity}``."""
    setting = f"{action}_{SINGULAR[entity]}"
    body = {entity: {action: [legacy(entity, record, old)]},
            "account": {"subdomain": SUBDOMAIN, "id": ACCOUNT_ID,
                        "_links": {"self": f"https://{SUBDOMAIN}.amocrm.ru"}}}
    form = dict(flatten_form(body))
    for hook in state.webhooks.values():
        if setting in hook["settings"] and not hook["disabled"]:
            control.webhooks.send(hook["destination"], form, form=True)
