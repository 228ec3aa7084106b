"""The web base that pontes' pages share: the admin pages and the panels a helpdesk embeds.

- ``templating``: the Jinja2 environment (autoescaped) and the base layout;
- ``static``: htmx and the stylesheet, served from package data;
- ``i18n``: the message catalogs (en, es, pt, ru) and the choice of language;
- ``signing``: signed, expiring tokens bound to one purpose;
- ``csrf``: tokens that a form post must carry back.

There is no JavaScript build step: htmx is vendored as one file and pages work as plain
HTML, htmx only making them quicker to use.
"""
