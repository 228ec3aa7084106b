"""The plugin author's contract: every hook pontes calls, when, with what, and what it wants.

A plugin is a module (found through the ``pontes.plugins`` entry point group) with
functions decorated by ``pontes.plugin.hookimpl`` whose names match the hooks below. An
implementation may accept any subset of a hook's arguments. Hooks that return lists are
called on every plugin and the lists are joined. See ``docs/plugin-hooks.md`` for an
example of each hook and a plugin that implements it.

The ``register_*`` hooks only hand over declarations: plain objects that describe a
connector, an action, a trigger, a mapper, a stream or a sandbox (``pontes.connector``),
usually collected by a ``pontes.kit.ConnectorKit`` and returned with ``kit.actions()``
and the like. The real contract is in those declarations: each class's docstring says
what its callables receive and must return, and a canonical action's input and output
models are in ``pontes.capabilities``, where every call is checked against them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from . import PROJECT_NAME

if TYPE_CHECKING:
    import click

    from .connector import (
        Action,
        Connector,
        Mapper,
        PollingTrigger,
        Sandbox,
        Stream,
        WebhookTrigger,
    )
    from .mapping import Transform
    from .recipes import Recipe

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


# --- vendors ------------------------------------------------------------------------------


@hookspec
def register_connectors() -> list[Connector]:
    """Return the vendor products this plugin talks to.

    Called once when plugins load. Each ``Connector`` names the product, its roles
    (helpdesk, crm, chat), the settings model of a connection (credentials, options, an
    optional ``base_url``), how to build its HTTP client and how to check credentials.
    Connector names are unique across all enabled plugins.
    """


@hookspec
def register_actions() -> list[Action]:
    """Return the actions this plugin performs at its vendors.

    Called once when plugins load. An action named after a canonical capability
    (``contact.find_by_email``, ``deal.finish``... see ``pontes.capabilities``) declares
    that the connector has that capability; its input and output are checked against the
    capability's models on every call. Vendor-specific actions are prefixed with the
    connector name and carry their own models.
    """


@hookspec
def register_triggers() -> list[WebhookTrigger | PollingTrigger]:
    """Return the triggers that turn vendor happenings into events.

    Called once when plugins load. A ``WebhookTrigger`` parses deliveries to
    ``/hooks/<integration>/<secret>`` without calling the vendor; a ``PollingTrigger``
    asks the vendor for changes since a cursor. Both declare the trigger capabilities they
    emit (``ticket.changed``, ``chat.finished``...) and load the canonical record of an
    event.
    """


@hookspec
def register_mappers() -> list[Mapper]:
    """Return the translations between vendor objects and canonical records.

    Called once when plugins load. Actions and triggers use them to build canonical
    records; the test kit round-trips every mapper with generated records.
    """


@hookspec
def register_streams() -> list[Stream]:
    """Return the tables this plugin can export to a warehouse.

    Called by ``pontes export``. Each ``Stream`` has a name, a primary key, an optional
    cursor field for incremental loads, the nested lists that become child tables, and an
    async generator that pages through the vendor within its rate limit.
    """


@hookspec
def register_sandboxes() -> list[Sandbox]:
    """Return emulators of the vendor APIs this plugin talks to.

    Called by ``pontes sandbox``, the demo and the test kit. A sandbox is a Starlette app
    that answers like the vendor (paths, auth, field names, pagination, errors, rate
    limits) from in-memory state, with fault injection under ``/_sandbox``.
    """


# --- integrations ---------------------------------------------------------------------------


@hookspec
def register_recipes() -> list[Recipe]:
    """Return recipes: integrations written against canonical capabilities only.

    Called once when plugins load. A recipe names the roles it needs (``helpdesk``,
    ``crm``, ``chat``) and the capabilities each role must have, its options model, its
    mapping slots, and the coroutine that handles one event. Core ships its recipes
    through this same hook.
    """


@hookspec
def register_transforms() -> dict[str, Transform]:
    """Return named value transforms for field mappings (``br_decimal``, ``phone_e164``...).

    Called once when plugins load. The key is the name used in a mapping's ``transform:``;
    names are unique across plugins. A transform declares its options model, so a typo in
    a mapping fails at config load with the key path.
    """


# --- command line ---------------------------------------------------------------------------


@hookspec
def register_commands(cli: click.Group) -> None:
    """Add commands to the ``pontes`` command line.

    Called before the command line parses its arguments, with the root ``click.Group``;
    use ``@cli.command()`` to add commands. Return nothing.
    """
