"""The errors of the OAuth machinery."""

from __future__ import annotations

from ..errors import PermanentFailure, VendorError


class NeedsLogin(PermanentFailure):
    """The connection has no usable OAuth tokens: never logged in, or its refresh token was
    revoked or expired. An event that needs it goes dead with this message; replay it after
    ``pontes oauth login``."""

    def __init__(self, connection: str, reason: str):
        self.connection = connection
        self.reason = reason
        super().__init__(f"connection {connection!r} needs login: {reason} "
                         f"(run: pontes oauth login {connection})")


class OAuthError(VendorError):
    """The vendor's token endpoint refused a request (a bad code, a bad client...), in the
    vendor's own words, with no token or secret in the message."""
