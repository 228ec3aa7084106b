"""Languages of the web pages: en, es, pt and ru, chosen by a ``language`` parameter.

Messages are written in English in the templates (``{% trans %}`` and ``_()``); each
other language has a catalog in ``locales/<language>.json``, package data read as it is
(no build step): an object from the English message to its translation, or, for a
message with a count, to the list of its plural forms in the language's order. A message
a catalog lacks is shown in English, and an unknown language is English.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

LANGUAGES = ("en", "es", "pt", "ru")
"""The languages pages are translated into."""

DEFAULT_LANGUAGE = "en"


def choose_language(value: str | None) -> str:
    """The page language for a requested ``value`` (``"pt"``, ``"pt-BR"``, ``"RU"``):
    its primary tag when it is one of ``LANGUAGES``, else English."""
    primary = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


def _plural_index(language: str, count: int) -> int:
    """Which plural form a count takes (CLDR's rules for these four languages)."""
    if language == "ru":
        if count % 10 == 1 and count % 100 != 11:
            return 0
        if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
            return 1
        return 2
    if language == "pt":
        return 0 if count in (0, 1) else 1
    return 0 if count == 1 else 1


class Catalog:
    """The translations of one language, with the ``gettext`` interface Jinja2's i18n
    extension installs."""

    def __init__(self, language: str, messages: dict[str, str | list[str]]) -> None:
        self.language = language
        self.messages = messages

    def gettext(self, message: str) -> str:
        """The translation of ``message``, or ``message`` itself."""
        translated = self.messages.get(message)
        return translated if isinstance(translated, str) and translated else message

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The form of ``singular``/``plural`` for ``count`` in this language."""
        forms = self.messages.get(singular)
        if isinstance(forms, list) and forms:
            return forms[min(_plural_index(self.language, count), len(forms) - 1)]
        return singular if count == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        """``gettext`` (catalogs do not separate messages by context)."""
        return self.gettext(message)

    def npgettext(self, context: str, singular: str, plural: str, count: int) -> str:
        """``ngettext`` (catalogs do not separate messages by context)."""
        return self.ngettext(singular, plural, count)


@cache
def catalog(language: str) -> Catalog:
    """The catalog of ``language`` (English, with no translations, for ``en``)."""
    language = choose_language(language)
    if language == DEFAULT_LANGUAGE:
        return Catalog(language, {})
    text = resources.files("pontes.web").joinpath("locales", f"{language}.json").read_text(
        encoding="utf-8")
    return Catalog(language, json.loads(text))


def translate(language: str, message: str) -> str:
    """``message`` in ``language``, for text made outside a template."""
    return catalog(language).gettext(message)
