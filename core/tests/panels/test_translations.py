"""The panel in en, es, pt and ru: every message of its templates is translated."""

from __future__ import annotations

import json
from importlib import resources

import pytest
from jinja2.ext import extract_from_ast
from pontes.web.templating import environment


def panel_messages() -> set[str]:
    env = environment("en")
    found = set()
    for name in env.list_templates():
        if name.startswith("panels/"):
            source = env.loader.get_source(env, name)[0]
            for _line, _function, message in extract_from_ast(env.parse(source)):
                messages = message if isinstance(message, tuple) else (message,)
                found.update(m for m in messages if isinstance(m, str))
    return found


@pytest.mark.parametrize("language", ["es", "pt", "ru"])
def test_every_panel_message_is_translated(language):
    text = resources.files("pontes.web").joinpath("locales", f"{language}.json").read_text(
        encoding="utf-8")
    catalog = json.loads(text)
    missing = sorted(panel_messages() - set(catalog))
    assert not missing, f"{language} lacks: {missing}"
    assert len(panel_messages()) > 25


def test_a_panel_page_renders_in_the_chosen_language():
    html = environment("pt").get_template("panels/refused.html").render(
        message="There is no panel here.", csrf_token=None)
    assert '<html lang="pt">' in html and "Não há painel aqui." in html
