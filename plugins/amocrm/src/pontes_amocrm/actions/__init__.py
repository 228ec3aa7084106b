"""What amoCRM does for a recipe, one module per kind of record: contacts, companies,
deals (amoCRM's leads, with their feed), notes, the account's metadata (pipelines, users,
custom fields) and webhooks."""

from . import (  # noqa: F401
    companies,
    contacts,
    deals,
    metadata,
    notes,
    webhooks,
    widget_tokens,
)
