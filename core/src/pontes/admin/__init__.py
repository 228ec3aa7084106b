"""The admin: a service layer over the store and the runtime, shared by the JSON API
(``/admin/api``) and the admin pages (``/admin``).

- ``models``: the pydantic models of queries and answers (and so of the OpenAPI document);
- one service module per page: ``overview``, ``events``, ``dead_letters``,
  ``integrations``, ``connections``, ``mappings``, ``plugins``;
- ``openapi``: the API's OpenAPI document, generated from the models;
- ``session``: sign-in with the admin token, the session cookie, CSRF tokens;
- ``pages``: the HTML pages.
"""
