"""The template environment, the base layout and the static files."""

from pontes.web.static import HTMX, STYLESHEET, static_mount, static_url
from pontes.web.templating import environment, page
from starlette.applications import Starlette
from starlette.testclient import TestClient

PAGE = ('{% extends "base.html" %}{% block title %}{{ _("Save") }}{% endblock %}'
        '{% block content %}<p>{{ value }}</p><p>{% trans %}Retry{% endtrans %}</p>'
        '{% endblock %}')


def test_pages_extend_the_base_layout_with_htmx_and_the_stylesheet() -> None:
    html = environment("en").from_string(PAGE).render(value="x", csrf_token=None)
    assert '<html lang="en">' in html
    assert f'<script src="{static_url(HTMX)}" defer></script>' in html
    assert f'href="{static_url(STYLESHEET)}"' in html
    assert "<title>Save</title>" in html
    assert "hx-headers" not in html


def test_values_are_escaped() -> None:
    html = environment("en").from_string(PAGE).render(value="<script>alert(1)</script>",
                                                      csrf_token=None)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_pages_are_rendered_in_the_chosen_language() -> None:
    html = environment("ru").from_string(PAGE).render(value="x", csrf_token=None)
    assert '<html lang="ru">' in html
    assert "<title>Сохранить</title>" in html
    assert "<p>Повторить</p>" in html
    assert "Сохранить" not in environment("es").from_string(PAGE).render(value="",
                                                                          csrf_token=None)


def test_the_csrf_token_goes_to_htmx_as_a_header() -> None:
    html = environment("en").from_string(PAGE).render(value="x", csrf_token="tok'en\"")
    assert "hx-headers='{\"X-CSRF-Token\": \"tok\\u0027en\\\"\"}'" in html


def test_page_answers_html() -> None:
    response = page("base.html", language="pt", status_code=404)
    assert response.status_code == 404
    assert response.media_type == "text/html"
    assert b'<html lang="pt">' in response.body


def test_static_files_are_served_from_package_data() -> None:
    client = TestClient(Starlette(routes=[static_mount()]))
    htmx = client.get(static_url(HTMX))
    assert htmx.status_code == 200
    assert htmx.text.startswith("/*! htmx 2.")
    assert "javascript" in htmx.headers["content-type"]
    css = client.get(static_url(STYLESHEET))
    assert css.status_code == 200 and "--accent" in css.text
    assert client.get(static_url("nothing.js")).status_code == 404
