"""No import cycles inside the core: if module A imports B, B never imports A back.

Every import counts, wherever it is written: at the top, inside ``if TYPE_CHECKING:`` or
inside a function. A cycle that Python happens to survive at run time still means the two
modules cannot be understood, tested or moved one without the other.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pontes

ROOT = Path(pontes.__file__).parent
PACKAGE = "pontes"


def module_names() -> dict[str, Path]:
    """Every module of the core by dotted name (a package is its ``__init__``)."""
    found = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = (PACKAGE, *path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(module: str, path: Path, modules: set[str]) -> set[str]:
    """The core modules ``module`` imports anywhere in its text, relative imports resolved."""
    is_package = path.name == "__init__.py"
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(module, is_package, node.level, node.module)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                targets.add(submodule if submodule in modules else base)
    return {target for target in targets if target in modules and target != module}


def _absolute(module: str, is_package: bool, level: int, name: str | None) -> str:
    if level == 0:
        return name or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[:len(package) - (level - 1)]
    return ".".join([*base, name] if name else base)


def import_graph() -> dict[str, set[str]]:
    """Module -> the core modules it imports."""
    modules = module_names()
    return {name: imported(name, path, set(modules)) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[str]:
    """One line per group of modules that import each other: a shortest cycle through the
    group's first module (``a -> b -> a``), then every member when there are more."""
    found = []
    for group in _strongly_connected(graph):
        if len(group) < 2:
            continue
        cycle = _cycle_within(graph, group)
        line = " -> ".join(cycle)
        if len(group) > len(cycle) - 1:
            line += f" (all tangled: {', '.join(sorted(group))})"
        found.append(line)
    return sorted(found)


def _strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm, iterative (the graph is a few hundred modules deep at most)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.add(member)
                        if member == node:
                            break
                    groups.append(group)
    return groups


def _cycle_within(graph: dict[str, set[str]], group: set[str]) -> list[str]:
    """A shortest way from the group's first module back to itself, through the group."""
    start = min(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & group):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"{sorted(group)} is not a cycle")


def test_relative_imports_resolve_to_modules():
    assert _absolute("pontes.engine.runner", False, 2, "store") == "pontes.store"
    assert _absolute("pontes.store", True, 1, "links") == "pontes.store.links"
    assert _absolute("pontes.store", True, 2, None) == "pontes"


def test_cycles_are_found_and_named():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == ["a -> b -> c -> a"]
    graph = {"a": {"b"}, "b": {"a", "c"}, "c": {"b"}, "d": set()}
    assert cycles(graph) == ["a -> b -> a (all tangled: a, b, c)"]


def test_no_core_module_imports_one_that_imports_it_back():
    found = cycles(import_graph())
    assert not found, "import cycles in the core:\n" + "\n".join(f"  {line}" for line in found)
