"""``pontes purge``: delete finished events past an age, now.

``pontes purge -c F --older-than 30d`` deletes the ``succeeded`` and ``ignored`` events
that finished more than 30 days ago, with their attempts; without ``--older-than`` the
configuration's ``retention:`` is the age. ``--dead-letters`` deletes the dead events and
rejected deliveries past that age too, which nothing else ever deletes. Links, cursors,
credentials and tokens are never deleted (``pontes.store.retention``). On SQLite the
freed space goes back to the file system.
"""

from __future__ import annotations

from datetime import timedelta

import click

from ..config import load_config
from ..durations import describe_duration, parse_duration
from ..store import Store
from ..store.retention import cutoff
from .common import clean_failures, config_option


class Duration(click.ParamType):
    """A command-line duration such as ``12h`` or ``30d`` (``pontes.durations``)."""

    name = "duration"

    def convert(self, value, param, ctx) -> timedelta:
        """The ``timedelta`` of ``value``, or a usage error saying what is expected."""
        if isinstance(value, timedelta):
            return value
        try:
            return parse_duration(value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


@click.command("purge")
@config_option
@click.option("--older-than", type=Duration(),
              help="Delete events finished longer ago than this (12h, 30d, 8w) "
                   "[default: the configuration's retention].")
@click.option("--dead-letters", is_flag=True,
              help="Also delete dead events and rejected deliveries past that age.")
def purge_command(config_path: str, older_than: timedelta | None, dead_letters: bool) -> None:
    """Delete finished events (and their attempts) older than a retention, now."""
    with clean_failures():
        config = load_config(config_path)
    age = older_than or config.retention
    if age is None:
        raise click.UsageError(f"give --older-than (such as 30d), or set retention: in "
                               f"{config_path}")
    before = cutoff(age)
    with clean_failures():
        store = Store.open(config.store)
    try:
        purged = store.retention.purge(before, dead_letters=dead_letters)
    finally:
        store.close()
    which = "finished, dead and rejected" if dead_letters else "finished"
    click.echo(f"deleted {purged.events} {which} event(s) and {purged.attempts} attempt(s) "
               f"older than {describe_duration(age)} (before {before:%Y-%m-%d %H:%M:%S} UTC)")
    if purged.reclaimed_bytes is not None:
        click.echo(f"the database file shrank by {purged.reclaimed_bytes} bytes")


def register(cli: click.Group) -> None:
    """Add ``purge`` to the ``pontes`` command group."""
    cli.add_command(purge_command)
