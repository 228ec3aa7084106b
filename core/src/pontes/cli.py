"""The ``pontes`` command line.

Core commands: ``plugins``, ``check``, ``hooks``, ``activate``, ``sandbox``, the engine's
(``serve``, ``worker``, ``db upgrade``, ``events``, ``replay``, ``links``, ``action-token``), ``purge``, ``export``, ``new-plugin`` and
``oauth``. Plugins add
their own through the ``register_commands`` hook. Every error is one message on stderr and
a non-zero exit (``pontes.commands.common``).
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import asdict

import click

from . import __version__
from .capabilities import CAPABILITIES
from .commands import engine as engine_commands
from .commands import export as export_commands
from .commands import init as init_commands
from .commands import installed as installed_commands
from .commands import mappings as mapping_commands
from .commands import new_plugin as new_plugin_commands
from .commands import oauth as oauth_commands
from .commands import purge as purge_commands
from .commands import recipes as recipe_commands
from .commands.common import build_runtime, config_option, fails_cleanly
from .commands.oauth import signed_in_runtime
from .commands.requests import describe_requests
from .errors import PontesError
from .listening import bind, serve_on
from .logs import FORMAT_ENV, FORMATS
from .logs import configure as configure_logging
from .oauth.session import LoginStatus
from .panels.features import pairs_table, panel_pairs
from .plugins import installed_plugins, load_plugins
from .runtime import Runtime
from .tables import echo_table, table_text


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pontes")
@click.option("--verbose", "-v", is_flag=True,
              help="Log more (debug level: each vendor request, migrations).")
@click.option("--log-format", type=click.Choice(FORMATS), default=None,
              help="Log lines as text or as JSON objects for log shippers [default: "
                   f"${FORMAT_ENV}, else the configuration's log_format, else text].")
def cli(verbose: bool, log_format: str | None) -> None:
    """pontes connects helpdesks, live chats and CRMs."""
    configure_logging(verbose, log_format)


@cli.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
@fails_cleanly
def plugins_command(as_json: bool) -> None:
    """List installed plugins and the matrix of connectors x capabilities."""
    found = installed_plugins()
    loaded = load_plugins([p.name for p in found if p.loaded])
    registry = loaded.registry
    matrix = {name: sorted(registry.capabilities(name)) for name in sorted(registry.connectors)}
    if as_json:
        click.echo(json.dumps({
            "plugins": [p.__dict__ for p in found],
            "connectors": {name: {"title": c.title, "roles": list(c.roles),
                                  "capabilities": matrix[name]}
                           for name, c in sorted(registry.connectors.items())},
            "recipes": sorted(registry.recipes),
            "panel_pairs": [{"helpdesk": helpdesk, "crm": crm, "features": sorted(features)}
                            for helpdesk, crm, features in panel_pairs(registry)],
        }, indent=2))
        return
    click.echo(f"pontes {__version__}\n")
    if found:
        echo_table(["PLUGIN", "DISTRIBUTION", "VERSION", "STATUS"],
                   [[p.name, p.distribution, p.version or "?",
                     "ok" if p.loaded else f"FAILED: {p.error}"] for p in found])
    else:
        click.echo("No plugins installed: pip install pontes-<vendor>")
    click.echo("")
    click.echo(capability_matrix(matrix))
    click.echo("\nCRM panel in a helpdesk's ticket card (recipe crm_panel), by pair:")
    click.echo(pairs_table(panel_pairs(registry)))
    if registry.recipes:
        click.echo("\nRecipes: " + ", ".join(sorted(registry.recipes)))


def capability_matrix(matrix: dict[str, list[str]]) -> str:
    """A table: one row per capability, one column per connector, ``x`` where supported."""
    connectors = list(matrix)
    names = sorted({c for caps in matrix.values() for c in caps})
    canonical = [n for n in CAPABILITIES if n in names]
    extra = sorted(n for n in names if n not in CAPABILITIES)
    if not names:
        return "No connectors."
    return table_text(["CAPABILITY", *connectors],
                      [[name, *("x" if name in matrix[c] else "" for c in connectors)]
                       for name in canonical + extra])


@cli.command("check")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@fails_cleanly
def check_command(config_path: str, as_json: bool) -> None:
    """Validate the configuration and test every connection's credentials (an OAuth
    connection that needs a login says so)."""
    with signed_in_runtime(config_path) as (runtime, logins):
        results = asyncio.run(_check_connections(runtime, logins))
    entries = [{"name": name, "connector": runtime.connections[name].connector.title,
                "ok": error is None, "oauth": logins[name].state != "not_oauth",
                "error": error} for name, error in results.items()]
    failed = sum(1 for entry in entries if not entry["ok"])
    if as_json:
        click.echo(json.dumps({"config": config_path, "valid": True,
                               "integrations": sorted(runtime.integrations),
                               "connections": entries}, indent=2))
    else:
        click.echo(f"{config_path}: configuration is valid ({len(runtime.connections)} "
                   f"connections, {len(runtime.integrations)} integrations)")
        if entries:
            echo_table(["CONNECTION", "CONNECTOR", "CHECK"],
                       [[e["name"], e["connector"],
                         ("ok (logged in)" if e["oauth"] else "ok") if e["ok"]
                         else f"FAILED: {e['error']}"] for e in entries])
    if failed:
        raise click.ClickException(f"{failed} connection(s) failed the check")


async def _check_connections(runtime: Runtime,
                             logins: dict[str, LoginStatus]) -> dict[str, str | None]:
    results: dict[str, str | None] = {}
    try:
        for name, connection in runtime.connections.items():
            if logins[name].state == "needs_login":
                results[name] = logins[name].describe()
                continue
            try:
                await connection.connector.check(connection)
                results[name] = None
            except PontesError as exc:
                results[name] = str(exc)
    finally:
        await runtime.aclose()
    return results


@cli.command("hooks")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@fails_cleanly
def hooks_command(config_path: str, as_json: bool) -> None:
    """Print the webhook URL of every integration trigger, to paste into each vendor, and
    the request URL of every integration that takes automation requests, with a body to
    paste into the helpdesk's rule."""
    from .panels.tickets_tab.context import tab_addresses, user_addresses

    runtime = build_runtime(config_path)
    urls = runtime.hook_urls()
    tabs = tab_addresses(runtime.integrations.values())
    personal = user_addresses(runtime.integrations.values())
    if as_json:
        click.echo(json.dumps({"webhooks": [asdict(hook) for hook in urls],
                               "requests": [asdict(r) for r in runtime.request_urls()],
                               "tabs": tabs, "user_tabs": personal}, indent=2))
        return
    if not urls and not runtime.request_urls():
        click.echo("No integration receives webhooks.")
    if urls:
        echo_table(["INTEGRATION", "CONNECTION", "TRIGGER", "EVENTS", "URL"],
                   [[hook.integration, hook.connection, hook.trigger, ", ".join(hook.events),
                     hook.url] for hook in urls])
    if runtime.request_urls():
        with signed_in_runtime(config_path) as (signed, _logins):
            for line in asyncio.run(describe_requests(signed)):
                click.echo(line)
    for name, address in tabs.items():
        click.echo(f"Tickets tab of {name}, to embed in the CRM's record pages (read-only "
                   f"unless default_user is set): {address}")
        for user, own in personal[name].items():
            click.echo(f"  {user}'s own address (creates and answers as their agent): {own}")


@cli.command("activate")
@click.argument("integration")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the steps as JSON.")
@fails_cleanly
def activate_command(integration: str, config_path: str, as_json: bool) -> None:
    """Do INTEGRATION's vendor-side set-up and print the steps left to a person."""
    with signed_in_runtime(config_path) as (runtime, _logins):
        if integration not in runtime.integrations:
            known = ", ".join(sorted(runtime.integrations)) or "none"
            raise click.ClickException(f"no integration {integration!r} in {config_path}; "
                                       f"expected one of: {known}")
        steps = asyncio.run(_activate(runtime, integration))
        queued = _record_state(runtime, integration, active=True)
    if queued:
        click.echo(f"Queued {queued} catch-up events: what changed while {integration} was "
                   "deactivated is handled by the server.", err=as_json)
    if as_json:
        click.echo(json.dumps({"integration": integration,
                               "steps": [asdict(step) for step in steps]}, indent=2))
        return
    for number, step in enumerate(steps, 1):
        state = "done" if step.done else "to do"
        click.echo(f"{number}. [{state}] {step.title}")
        if step.detail:
            click.echo("\n".join(f"      {line}" for line in step.detail.splitlines()))


async def _activate(runtime: Runtime, name: str) -> list:
    from .recipes.activation import activate_webhooks

    integration = runtime.integrations[name]
    urls = {hook.role: hook.url for hook in runtime.hook_urls() if hook.integration == name}
    try:
        if integration.recipe.activate is not None:
            steps = await integration.recipe.activate(integration, urls)
        else:
            steps = await activate_webhooks(integration, urls)
        if integration.recipe.initial_sync is not None:
            steps.append(await _initial_sync(runtime, integration))
        return steps
    finally:
        await runtime.aclose()


async def _initial_sync(runtime: Runtime, integration):
    """Run the recipe's initial sync (resuming where an earlier run stopped) as one
    activation step."""
    from .recipes.base import SetupStep
    from .store import Store

    store = Store.open(runtime.config.store)
    try:
        queued = await integration.recipe.initial_sync(integration, store)
    finally:
        store.close()
    return SetupStep("initial sync", True, f"{queued} records queued for the server to "
                     "sync (lists read before are not read again)")


def _record_state(runtime: Runtime, integration: str, *, active: bool) -> int:
    """Write down in the store that ``integration`` is now active or not (the admin API
    shows it). Reactivating an integration that was deactivated stores its recipe's
    catch-up events; returns how many."""
    from .store import Store

    store = Store.open(runtime.config.store)
    try:
        was = store.integration_states.all().get(integration)
        store.integration_states.set_active(integration, active)
        if active and was is not None and not was.active:
            return _queue_catch_up(store, runtime.integrations[integration])
        return 0
    finally:
        store.close()


def _queue_catch_up(store, integration) -> int:
    from .store import NewEvent

    if integration.recipe.catch_up is None:
        return 0
    groups = {(g.kind, g.id): g.refs for connection in integration.connections.values()
              for g in store.links.groups(connection=connection.name, internal=False,
                                          limit=1_000_000)}
    events = integration.recipe.catch_up(integration, [(kind, refs) for (kind, _), refs
                                                       in groups.items()])
    rows = [NewEvent(integration=integration.name, role=role, connection=event.connection,
                     source="poll", trigger=event.trigger, type=event.type,
                     idempotency_key=event.idempotency_key, entity_key=event.entity_key,
                     event=event.model_dump(mode="json")) for role, event in events]
    return len([i for i in store.events.insert(rows) if i is not None])


@cli.command("deactivate")
@click.argument("integration")
@config_option
@fails_cleanly
def deactivate_command(integration: str, config_path: str) -> None:
    """Stop INTEGRATION: take its webhooks back from the vendors. Links, events, cursors and
    vendor data stay, so ``pontes activate`` later catches up."""
    from .admin.integrations import remove_webhooks

    with signed_in_runtime(config_path) as (runtime, _logins):
        if integration not in runtime.integrations:
            known = ", ".join(sorted(runtime.integrations)) or "none"
            raise click.ClickException(f"no integration {integration!r} in {config_path}; "
                                       f"expected one of: {known}")
        found = runtime.integrations[integration]
        urls = {h.role: h.url for h in runtime.hook_urls() if h.integration == integration}

        async def deactivate() -> list:
            try:
                return await remove_webhooks(found, urls)
            finally:
                await runtime.aclose()

        steps = asyncio.run(deactivate())
        _record_state(runtime, integration, active=False)
    for number, step in enumerate(steps, 1):
        click.echo(f"{number}. [{'done' if step.done else 'to do'}] {step.title}"
                   + (f": {step.detail}" if step.detail else ""))


@cli.command("sandbox")
@click.argument("vendor")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=int)
@fails_cleanly
def sandbox_command(vendor: str, host: str, port: int) -> None:
    """Run the sandbox (API emulator) of VENDOR until Ctrl-C."""
    registry = load_plugins().registry
    sandbox = registry.sandboxes.get(vendor)
    if sandbox is None:
        known = ", ".join(sorted(registry.sandboxes)) or "none installed"
        raise click.ClickException(f"no sandbox for {vendor!r}; available: {known}")
    sock = bind(host, port)
    base_url = f"http://{host}:{port}"
    settings = {k: v for k, v in sandbox.settings(base_url).items()}
    click.echo(f"{vendor} sandbox on {base_url}\nConnection settings for your config:\n"
               f"  {json.dumps(settings)}")
    serve_on(sock, sandbox.app(), log_level="warning")


def _add_commands() -> None:
    engine_commands.register(cli)
    export_commands.register(cli)
    mapping_commands.register(cli)
    init_commands.register(cli)
    new_plugin_commands.register(cli)
    oauth_commands.register(cli)
    purge_commands.register(cli)
    recipe_commands.register(cli)
    installed_commands.register(cli)
    try:
        registry_pm = load_plugins([p.name for p in installed_plugins() if p.loaded]).pm
    except PontesError as exc:
        click.echo(f"warning: plugin commands unavailable: {exc}", err=True)
        return
    registry_pm.hook.register_commands(cli=cli)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``pontes`` console script."""
    _add_commands()
    try:
        cli.main(args=argv, prog_name="pontes", standalone_mode=True)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
