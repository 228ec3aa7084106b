"""Every distribution declares what its code imports, and nothing a user may not need.

- each plugin (and the demo) lists, in ``dependencies``, the distribution of every
  third-party module its code imports, and pins ``pontes`` to a version range;
- the core's required dependencies cover what a SQLite installation imports; PostgreSQL's
  driver and Procrastinate are the ``postgres`` extra, dlt the ``export`` extra;
- ``python-multipart`` is declared wherever Starlette's form parser is used (Starlette
  itself does not require it).

Imports are read from the source with ``ast`` wherever they are written (top of a module
or inside a function), and mapped to distributions through the installed metadata.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PLUGIN_PROJECTS = sorted((REPO / "plugins").glob("*/pyproject.toml"))
DEMO_PROJECT = REPO / "demo" / "pyproject.toml"
CORE_PROJECT = REPO / "core" / "pyproject.toml"
TEST_KIT = ("testing", "templates")
"""Core folders only test suites load (the pytest plugin and the plugin template's tests):
they import pytest and Hypothesis, which the test environment brings."""


def requirement_name(requirement: str) -> str:
    """The normalised distribution name of a requirement string (``psycopg[binary]>=3``)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    assert match, f"not a requirement: {requirement!r}"
    return normalise(match.group(1))


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def project(path: Path) -> dict:
    """The ``[project]`` table of a pyproject file."""
    return tomllib.loads(path.read_text(encoding="utf-8"))["project"]


def imported_modules(source: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Top-level names of the absolute imports under ``source`` -> one file importing it."""
    found: dict[str, str] = {}
    for path in sorted(source.rglob("*.py")):
        if any(part in skip for part in path.relative_to(source).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(REPO)))
    return found


def third_party(modules: dict[str, str], own: str) -> dict[str, str]:
    """The imported modules that are neither the standard library nor the package itself."""
    return {name: where for name, where in modules.items()
            if name not in sys.stdlib_module_names and name != own}


SHIPPED_WITH = {"pydantic-core": "pydantic"}
"""Distributions that another one pins exactly and that are declared through it."""


def distributions_of(module: str) -> set[str]:
    """The installed distributions that provide ``module`` (normalised names)."""
    names = {normalise(name) for name in packages_distributions().get(module, [])}
    return names | {SHIPPED_WITH[name] for name in names if name in SHIPPED_WITH}


def undeclared(modules: dict[str, str], declared: set[str]) -> list[str]:
    """One line per imported module whose distribution is not declared."""
    missing = []
    for module, where in sorted(modules.items()):
        providers = distributions_of(module)
        if not providers:
            missing.append(f"{module} (imported in {where}) is not installed at all")
        elif not providers & declared:
            missing.append(f"{module} (imported in {where}) comes from "
                           f"{', '.join(sorted(providers))}, which is not declared")
    return missing


@pytest.mark.parametrize("pyproject", [*PLUGIN_PROJECTS, DEMO_PROJECT],
                         ids=lambda path: path.parent.name)
def test_a_plugin_declares_every_library_it_imports(pyproject: Path) -> None:
    meta = project(pyproject)
    package = meta["name"].replace("-", "_")
    declared = {requirement_name(item) for item in meta.get("dependencies", [])}
    modules = third_party(imported_modules(pyproject.parent / "src"), package)
    assert undeclared(modules, declared) == []


@pytest.mark.parametrize("pyproject", [*PLUGIN_PROJECTS, DEMO_PROJECT],
                         ids=lambda path: path.parent.name)
def test_a_plugin_depends_on_a_range_of_pontes_versions(pyproject: Path) -> None:
    requirements = [item for item in project(pyproject)["dependencies"]
                    if requirement_name(item) == "pontes"]
    assert len(requirements) == 1, f"{pyproject}: declare pontes once"
    specifier = requirements[0][len("pontes"):].replace(" ", "")
    assert ">=" in specifier and "<" in specifier.replace("<=", ""), (
        f"{pyproject}: {requirements[0]!r} needs a lower and an upper bound, "
        "e.g. pontes>=0.1,<0.2")


def test_the_core_declares_what_a_sqlite_installation_imports() -> None:
    meta = project(CORE_PROJECT)
    required = {requirement_name(item) for item in meta["dependencies"]}
    extras = {name: {requirement_name(item) for item in items}
              for name, items in meta["optional-dependencies"].items()}
    modules = third_party(imported_modules(REPO / "core" / "src" / "pontes", TEST_KIT), "pontes")
    everything = required.union(*extras.values())
    assert undeclared(modules, everything) == []
    assert {"psycopg", "procrastinate"} <= extras["postgres"]
    assert not {"psycopg", "psycopg-binary", "procrastinate"} & required
    assert "dlt" in extras["export"] and "dlt" not in required


def test_python_multipart_is_declared_where_a_form_is_parsed() -> None:
    for pyproject in [CORE_PROJECT, *PLUGIN_PROJECTS, DEMO_PROJECT]:
        declared = {requirement_name(item)
                    for item in project(pyproject).get("dependencies", [])}
        source = "\n".join(path.read_text(encoding="utf-8")
                           for path in (pyproject.parent / "src").rglob("*.py"))
        if ".form()" in source:
            assert "python-multipart" in declared, (
                f"{pyproject}: Starlette's request.form() needs python-multipart")
