"""``pontes new-plugin``: a vendor plugin generated from the template shipped with pontes,
and brought up to a newer pontes's template later.

The template (``pontes/templates/plugin``) is a copier template. Copier updates a project
by rendering the template version the project was made from and the new one, and merging
the difference into the project; it reads both versions from a git repository, found
again through ``_src_path`` and ``_commit`` in the project's ``.copier-answers.yml``.
Package data is not a git repository, so this module keeps one: the template history
(``$PONTES_TEMPLATE_HISTORY``, by default ``~/.local/share/pontes/plugin-template``).
Every template version it generates or updates from is committed there first and tagged
with the version of pontes that shipped it (``0.1.0``; ``0.1.0.post1`` and on when the
template changed without a new pontes version, as in a checkout of pontes).

``register(cli)`` adds the command to the main ``pontes`` group.
"""

from __future__ import annotations

import keyword
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import yaml

from .. import __version__
from ..errors import PontesError
from .common import fails_cleanly

TEMPLATE = Path(__file__).resolve().parent.parent / "templates" / "plugin"
"""The copier template, as installed with pontes."""

HISTORY_ENV = "PONTES_TEMPLATE_HISTORY"
ANSWERS_FILE = ".copier-answers.yml"
ROLES = ("crm", "helpdesk", "chat")

_NAME = re.compile(r"[a-z][a-z0-9_]*")
_GIT_IDENTITY = {"GIT_AUTHOR_NAME": "pontes", "GIT_AUTHOR_EMAIL": "pontes@localhost",
                 "GIT_COMMITTER_NAME": "pontes", "GIT_COMMITTER_EMAIL": "pontes@localhost"}


class NewPluginError(PontesError):
    """A plugin that cannot be generated or updated as asked; the message says why."""


def check_name(name: str) -> str:
    """``name`` if it can name a plugin (``acme``, ``acme_crm``); ``NewPluginError`` if not."""
    if not _NAME.fullmatch(name) or keyword.iskeyword(name):
        raise NewPluginError(
            f"{name!r} cannot name a plugin: use lowercase letters, digits and underscores, "
            f"starting with a letter (acme, acme_crm), and no Python keyword")
    return name


def default_history() -> Path:
    """``$PONTES_TEMPLATE_HISTORY``, else ``pontes/plugin-template`` in the user's data
    directory (``$XDG_DATA_HOME``, by default ``~/.local/share``)."""
    configured = os.environ.get(HISTORY_ENV)
    if configured:
        return Path(configured).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or "~/.local/share"
    return Path(data_home).expanduser() / "pontes" / "plugin-template"


def record_template(history: Path, template: Path = TEMPLATE,
                    version: str = __version__) -> str:
    """Commit ``template`` to the git repository ``history`` (created if missing) and
    return its tag; a template already recorded keeps the tag it has.

    Each version is a commit without parent, so versions can be recorded in any order
    (an older pontes's after a newer one's) and each tag sees only its own version.
    """
    if not (history / ".git").exists():
        history.mkdir(parents=True, exist_ok=True)
        _git(history, "init", "--quiet")
    with tempfile.TemporaryDirectory() as scratch:
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        _git(history, "--work-tree", str(template.resolve()), "add", "--all", "--force", ":/", env=index)
        tree = _git(history, "write-tree", env=index)
    tags = _git(history, "tag", "--list").split()
    for tag in tags:
        if _git(history, "rev-parse", f"{tag}^{{tree}}") == tree:
            return tag
    tag = version
    serial = 0
    while tag in tags:
        serial += 1
        tag = f"{version}.post{serial}"
    commit = _git(history, "commit-tree", "--no-gpg-sign", tree,
                  "-m", f"The plugin template of pontes {version}", env=_GIT_IDENTITY)
    _git(history, "update-ref", "HEAD", commit)
    _git(history, "tag", tag, commit)
    _git(history, "reset", "--hard", "--quiet")
    return tag


def generate(name: str, destination: Path, *, title: str | None = None, role: str = "crm",
             history: Path | None = None, template: Path = TEMPLATE,
             version: str = __version__) -> str:
    """Write the plugin ``pontes-<name>`` into ``destination`` (missing or empty) and
    return the tag of the template version it was made from."""
    check_name(name)
    if role not in ROLES:
        raise NewPluginError(f"role {role!r} is not one of {', '.join(ROLES)}")
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise NewPluginError(f"{destination} already exists and is not an empty directory")
    history = history or default_history()
    tag = record_template(history, template, version)
    answers = {"name": name, "role": role, **({"title": title} if title else {})}
    with _copier_errors(f"cannot generate {destination}"):
        import copier

        copier.run_copy(_portable(history), destination, data=answers, vcs_ref=tag,
                        defaults=True, quiet=True)
    return tag


def update(project: Path, *, history: Path | None = None, template: Path = TEMPLATE,
           version: str = __version__) -> tuple[str, str]:
    """Bring the plugin in ``project`` up to ``template``; return the template versions
    ``(before, after)``.

    ``project`` must be a git work tree without uncommitted changes. Changes the template
    and the plugin both made to the same lines are left as conflict markers to resolve.
    """
    answers = _answers(project)
    before, source = answers.get("_commit"), answers.get("_src_path")
    if not before or not source:
        raise NewPluginError(f"{project / ANSWERS_FILE} names no template version "
                             f"(_commit and _src_path): it was not made by pontes new-plugin")
    history = history or default_history()
    if Path(str(source)).expanduser().resolve() != history.resolve():
        raise NewPluginError(f"{project} was made from the template history {source}, and this "
                             f"pontes uses {history}; set {HISTORY_ENV}={source}")
    after = record_template(history, template, version)
    if not _git(history, "rev-parse", "--verify", "--quiet", f"refs/tags/{before}", check=False):
        raise NewPluginError(
            f"the template history {history} does not hold version {before}, which {project} "
            f"was made from; run `pontes new-plugin --update {project}` once with that pontes "
            f"version installed (it records its template), then again with this one")
    with _copier_errors(f"cannot update {project}"):
        import copier

        copier.run_update(project, vcs_ref=after, defaults=True, overwrite=True,
                          skip_answered=True, quiet=True)
    return str(before), after


def _answers(project: Path) -> dict[str, object]:
    path = project / ANSWERS_FILE
    try:
        answers = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise NewPluginError(f"{project} has no {ANSWERS_FILE}: it was not made by "
                             f"pontes new-plugin") from None
    except yaml.YAMLError as exc:
        raise NewPluginError(f"{path} is not YAML: {exc}") from None
    if not isinstance(answers, dict):
        raise NewPluginError(f"{path} does not hold copier's answers")
    return answers


def _portable(path: Path) -> str:
    """``path`` as copier should record it: under ``~`` when in the home directory, so the
    answers file works for everyone whose history is in the default place."""
    try:
        return "~/" + path.resolve().relative_to(Path.home().resolve()).as_posix()
    except ValueError:
        return str(path.resolve())


@contextmanager
def _copier_errors(doing: str) -> Iterator[None]:
    """Turn copier's errors about its input into ``NewPluginError``."""
    from copier.errors import CopierError

    try:
        yield
    except CopierError as exc:
        raise NewPluginError(f"{doing}: {exc}") from None


def _git(repo: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    """Run ``git -C repo args`` and return what it printed; ``NewPluginError`` if it fails
    (with ``check``; else the empty string)."""
    try:
        result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                                env={**os.environ, **(env or {})})
    except FileNotFoundError:
        raise NewPluginError("pontes new-plugin needs git, and git is not installed") from None
    if result.returncode != 0:
        if check:
            raise NewPluginError(f"git {' '.join(args)} failed in {repo}: "
                                 f"{result.stderr.strip()}")
        return ""
    return result.stdout.strip()


def register(cli: click.Group) -> None:
    """Add ``new-plugin`` to ``cli``."""
    cli.add_command(new_plugin_command)


def _name_argument(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return check_name(value)
    except NewPluginError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("new-plugin")
@click.argument("name", required=False, callback=_name_argument)
@click.option("--path", "path", type=click.Path(path_type=Path),
              help="The directory to write the plugin into, missing or empty "
                   "[default: ./pontes-NAME].")
@click.option("--title", help="The vendor product's name for people [default: from NAME].")
@click.option("--role", type=click.Choice(ROLES), help="What the product is to a recipe "
                                                       "[default: crm].")
@click.option("--update", "update_dir", metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Instead, bring the plugin in DIR up to this pontes's template.")
@fails_cleanly
def new_plugin_command(name: str | None, path: Path | None, title: str | None,
                       role: str | None, update_dir: Path | None) -> None:
    """Generate the plugin pontes-NAME from the template shipped with pontes.

    The plugin has a connector, one action, one webhook trigger, one mapper, a sandbox
    and the standard test suite, all passing. Keep it in git: --update merges a newer
    pontes's template into it (see docs/new-plugin.md).
    """
    if update_dir is not None:
        if name or path or title or role:
            raise click.UsageError("--update takes no NAME, --path, --title or --role")
        before, after = update(update_dir)
        click.echo(f"Updated {update_dir} from template {before} to {after}. Review the "
                   f"changes with `git diff`; conflicts are marked with <<<<<<< lines.")
        return
    if name is None:
        raise click.UsageError("give the NAME of the new plugin, or --update DIR")
    destination = path or Path(f"pontes-{name}")
    tag = generate(name, destination, title=title, role=role or "crm")
    click.echo(f"Wrote pontes-{name} to {destination} (plugin template {tag}). Next:\n"
               f"  cd {destination}\n"
               f"  pip install -e '.[test]' && pytest\n"
               f"  git init && git add --all && git commit -m 'pontes-{name}'")
