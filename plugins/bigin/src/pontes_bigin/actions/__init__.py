"""What Bigin does for a recipe, one module per kind of record: contacts, companies
(accounts), deals (pipeline records), notes, metadata (fields, pipelines), users, batch
writes and the watch channel."""

from . import batch, companies, contacts, deals, listing, metadata, notes, users, watch  # noqa: F401
