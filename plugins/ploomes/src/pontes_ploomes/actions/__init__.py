"""The actions of the Ploomes connector, one module per subject.

Each handler is ``async def handler(connection, params) -> output`` with ``params``
already validated against the capability's input model, declared on the kit with
``@kit.action``. Records are re-read after every write, so callers get what Ploomes
stored. Ploomes' public API has no leads resource, so there is no lead action.

- ``clients``: persons and companies (both are ``Contacts``);
- ``deals``: deals and their pipelines;
- ``interactions``: interaction records in a client's history;
- ``listing``: every person and company, a page at a time (initial sync);
- ``updates``: changing persons and companies;
- ``users``: the integration user;
- ``webhooks``: webhook subscriptions for canonical trigger events.
"""

from . import clients, deals, interactions, listing, updates, users, webhooks  # noqa: F401 (each declares its actions on the kit)
