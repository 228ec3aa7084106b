"""The documented webhook samples of every installed plugin, read from its standard suite.

A plugin's tests subclass ``ConnectorStandardTests`` in ``tests/test_standard.py`` next
to its source (``pontes new-plugin`` writes it there) and list its documented deliveries
in ``webhook_samples()``; the fuzz tests build their hostile bodies around those.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from pontes.plugins import installed_plugins
from pontes.testing.cases import WebhookSample
from pontes.testing.standard import ConnectorStandardTests
from pontes.testing.webhooks import FORM, encode_body


def standard_suites() -> dict[str, ConnectorStandardTests]:
    """An instance of each installed plugin's standard suite, by connector name."""
    suites: dict[str, ConnectorStandardTests] = {}
    for info in installed_plugins():
        if info.error:
            continue
        module = importlib.import_module(info.module.split(":", 1)[0])
        suite_file = _suite_file(Path(module.__file__))
        if suite_file is None:
            continue
        spec = importlib.util.spec_from_file_location(f"standard_suite_of_{info.name}",
                                                      suite_file)
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        for value in vars(loaded).values():
            if (isinstance(value, type) and issubclass(value, ConnectorStandardTests)
                    and value is not ConnectorStandardTests and value.connector):
                suites[value.connector] = value()
    return suites


def _suite_file(source: Path) -> Path | None:
    for folder in source.parents[:4]:
        candidate = folder / "tests" / "test_standard.py"
        if candidate.is_file():
            return candidate
    return None


def sample_objects(samples: list[WebhookSample]) -> list[dict[str, Any]]:
    """The samples' bodies as JSON objects (a form's fields as a flat object)."""
    objects = []
    for sample in (WebhookSample(*s) for s in samples):
        raw = encode_body(sample.body, sample.content_type)
        if sample.content_type.split(";")[0].strip().lower() == FORM:
            objects.append(dict(parse_qsl(raw.decode())))
        else:
            objects.append(json.loads(raw))
    return objects
