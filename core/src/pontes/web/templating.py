"""The Jinja2 environment of the web pages and the ``render`` and ``page`` helpers.

Templates live in ``pontes/web/templates/`` (package data) and extend ``base.html``,
whose blocks are ``title``, ``head`` and ``content``. Autoescaping is on for every
template. Each language has its own environment, with that language's catalog installed,
so ``{% trans %}`` and ``_()`` translate.

Templates get ``static(name)`` (the URL of a static file), ``language`` and, when the page
was given one, ``csrf_token``, which ``base.html`` hands to htmx for every request.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse

from .i18n import catalog, choose_language
from .static import static_url


@cache
def environment(language: str = "en") -> Environment:
    """The environment that renders pages in ``language`` (see ``i18n.choose_language``)."""
    language = choose_language(language)
    made = Environment(
        loader=PackageLoader("pontes.web", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    made.install_gettext_translations(catalog(language), newstyle=True)  # type: ignore[attr-defined]
    made.globals["static"] = static_url
    made.globals["language"] = language
    return made


def render(template: str, *, language: str = "en", **context: Any) -> str:
    """``template`` rendered in ``language`` with ``context``."""
    context.setdefault("csrf_token", None)
    return environment(language).get_template(template).render(context)


def page(template: str, *, language: str = "en", status_code: int = 200,
         headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    """An HTML response of ``template`` rendered in ``language``."""
    return HTMLResponse(render(template, language=language, **context),
                        status_code=status_code, headers=headers)
