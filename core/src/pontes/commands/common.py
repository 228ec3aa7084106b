"""The pieces every ``pontes`` command shares.

- ``config_option``: the ``--config/-c PATH`` option (or ``$PONTES_CONFIG``);
- ``clean_failures`` and ``fails_cleanly``: a ``PontesError`` becomes one line on stderr
  and exit status 1, never a traceback;
- ``build_runtime``: a configuration file loaded and checked against the enabled plugins.

The main group (``pontes.cli``) and every module of ``pontes.commands`` build on these;
no command module imports the main group.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from ..config import load_config
from ..errors import PontesError
from ..runtime import Runtime

F = TypeVar("F", bound=Callable[..., Any])


def config_option(command: F) -> F:
    """Add ``--config/-c PATH`` (or ``$PONTES_CONFIG``) to ``command`` as ``config_path``."""
    return click.option("--config", "-c", "config_path", required=True, envvar="PONTES_CONFIG",
                        type=click.Path(dir_okay=False),
                        help="The YAML configuration file (or $PONTES_CONFIG).")(command)


@contextmanager
def clean_failures() -> Iterator[None]:
    """Turn a ``PontesError`` raised in the block into a one-line message and exit status 1."""
    try:
        yield
    except PontesError as exc:
        raise click.ClickException(str(exc)) from None


def fails_cleanly(command: F) -> F:
    """Run the whole of ``command`` under ``clean_failures``."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with clean_failures():
            return command(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def build_runtime(config_path: str) -> Runtime:
    """Load a configuration file and check it against the enabled plugins."""
    return Runtime.build(load_config(config_path))
