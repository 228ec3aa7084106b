"""Every hook is documented with its exact signature (the Datasette rule)."""

import inspect
import re
from pathlib import Path

from pontes import hookspecs

DOC = Path(__file__).parents[2] / "docs" / "plugin-hooks.md"


def hook_specs():
    return {name: fn for name, fn in vars(hookspecs).items()
            if inspect.isfunction(fn) and hasattr(fn, "pontes_spec")}


def test_there_are_hooks_to_document():
    assert {"register_connectors", "register_actions", "register_commands"} <= set(hook_specs())


def test_every_hook_has_a_section_with_its_signature():
    text = DOC.read_text()
    headings = set(re.findall(r"^## (.+)$", text, flags=re.M))
    for name, fn in hook_specs().items():
        args = ", ".join(inspect.signature(fn).parameters)
        assert f"{name}({args})" in headings, f"docs/plugin-hooks.md lacks '## {name}({args})'"


def test_every_hook_has_a_docstring():
    for name, fn in hook_specs().items():
        assert fn.__doc__ and len(fn.__doc__.strip()) > 40, f"hook {name} needs a docstring"


def test_no_section_documents_a_hook_that_does_not_exist():
    text = DOC.read_text()
    documented = {h.split("(")[0] for h in re.findall(r"^## (\w+\(.*\))$", text, flags=re.M)}
    assert documented == set(hook_specs())


def _sections(text):
    """Hook name -> the text of its section."""
    parts = re.split(r"^## (\w+)\(.*\)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_hook_has_an_example_and_names_a_plugin_that_uses_it():
    sections = _sections(DOC.read_text())
    for name in hook_specs():
        section = sections[name]
        assert "```python" in section, f"docs/plugin-hooks.md: {name} has no example"
        assert re.search(r"^Used by: .*`[\w\-./]+`", section, flags=re.M), (
            f"docs/plugin-hooks.md: {name} names no plugin that implements it")
