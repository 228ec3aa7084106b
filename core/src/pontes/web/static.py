"""The static files of the web pages (htmx, the stylesheet), served from package data."""

from __future__ import annotations

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

STATIC_PATH = "/static/pontes"
"""Where the files are mounted on the server."""

HTMX = "htmx.min.js"
STYLESHEET = "pontes.css"


def static_url(name: str) -> str:
    """The path of static file ``name`` on the server."""
    return f"{STATIC_PATH}/{name}"


def static_mount() -> Mount:
    """A Starlette ``Mount`` serving the package's ``static/`` directory at
    ``STATIC_PATH``."""
    return Mount(STATIC_PATH, app=StaticFiles(packages=[("pontes.web", "static")]),
                 name="pontes-static")
