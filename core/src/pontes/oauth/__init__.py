"""OAuth2 for connectors that declare it (``OAuth2``), generic for every vendor.

- ``declaration``: ``OAuth2``, what a connector says about its vendor's OAuth;
- ``tokens``: a token set and how a token endpoint's answer becomes one;
- ``state``: the signed, expiring ``state`` of an authorization request;
- ``session``: one connection's tokens: login, refresh under a lock shared by every
  process, the "needs login" state;
- ``auth``: the ``httpx.Auth`` that puts the access token on every vendor call and
  refreshes once on a 401;
- ``routes``: ``/oauth/<connection>/start`` and ``/oauth/<connection>/callback``;
- ``wiring``: sessions given to the connections of a runtime, and their login status.

This package exports only what a plugin declares and raises; the server and the CLI
import the machinery from its modules.
"""

from .declaration import OAuth2
from .errors import NeedsLogin, OAuthError
from .tokens import TokenAnswer

__all__ = ["NeedsLogin", "OAuth2", "OAuthError", "TokenAnswer"]
