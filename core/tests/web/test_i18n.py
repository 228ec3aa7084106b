"""Languages: the choice by parameter, the catalogs and their plural forms."""

import json
from importlib import resources

import pytest
from pontes.web.i18n import LANGUAGES, catalog, choose_language, translate


@pytest.mark.parametrize(("asked", "chosen"), [
    ("ru", "ru"), ("pt-BR", "pt"), ("ES", "es"), ("pt_BR", "pt"), ("en", "en"),
    ("de", "en"), ("", "en"), (None, "en"),
])
def test_the_language_parameter_chooses_a_known_language_or_english(asked, chosen) -> None:
    assert choose_language(asked) == chosen


def test_messages_are_translated_and_unknown_ones_stay_english() -> None:
    assert translate("ru", "Retry") == "Повторить"
    assert translate("es", "Retry") == "Reintentar"
    assert translate("pt", "Retry") == "Tentar novamente"
    assert translate("en", "Retry") == "Retry"
    assert translate("ru", "A message nobody translated") == "A message nobody translated"


def test_plural_forms_follow_each_language() -> None:
    ru = catalog("ru")
    assert [ru.ngettext("%(num)s item", "%(num)s items", n) for n in (1, 3, 5, 21, 12)] == [
        "%(num)s элемент", "%(num)s элемента", "%(num)s элементов", "%(num)s элемент",
        "%(num)s элементов"]
    assert catalog("pt").ngettext("%(num)s item", "%(num)s items", 0) == "%(num)s item"
    assert catalog("es").ngettext("%(num)s item", "%(num)s items", 0) == "%(num)s elementos"
    assert catalog("en").ngettext("%(num)s item", "%(num)s items", 2) == "%(num)s items"


def test_every_catalog_translates_the_same_messages() -> None:
    keys = {}
    for language in LANGUAGES:
        if language == "en":
            continue
        text = resources.files("pontes.web").joinpath("locales", f"{language}.json").read_text(
            encoding="utf-8")
        messages = json.loads(text)
        assert all(messages.values()), f"{language} has an empty translation"
        keys[language] = set(messages)
    first = next(iter(keys.values()))
    for language, messages in keys.items():
        assert messages == first, (f"{language} differs: missing {first - messages}, "
                                   f"extra {messages - first}")
