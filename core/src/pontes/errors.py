"""The errors pontes raises, grouped by what the engine should do about them.

A ``retriable`` error (rate limit, vendor 5xx, timeout, connection failure) is tried again
with backoff; any other error is permanent: the event goes to the dead letters with the
message, and an operator replays it once the cause is fixed.
"""

from __future__ import annotations


class PontesError(Exception):
    """Base of every error pontes raises on purpose."""

    retriable: bool = False


class ConfigError(PontesError):
    """A configuration file or value is wrong. The message names the file and key path."""


class PluginLoadError(PontesError):
    """An enabled plugin failed to load; the message names the plugin and the cause."""


class CapabilityError(PontesError):
    """A connection lacks a capability that a recipe or request asked for."""


class InvalidPayload(PontesError):
    """A webhook body that its trigger cannot understand; answered with HTTP 4xx."""


class PermanentFailure(PontesError):
    """A run cannot succeed as things are (a client is missing and may not be created...).

    The event goes to the dead letters with this message and can be replayed later.
    """


class VendorError(PontesError):
    """A vendor API answered with an error. ``message`` is the vendor's own words.

    ``status`` is the HTTP status (``None`` when no answer came); ``url`` is already
    redacted and safe to log.
    """

    def __init__(self, message: str, *, status: int | None = None, url: str | None = None):
        self.message = message
        self.status = status
        self.url = url
        where = f" ({status} from {url})" if status is not None and url else ""
        super().__init__(f"{message}{where}")


class AuthError(VendorError):
    """The vendor refused the credentials (HTTP 401/403)."""


class NotFoundError(VendorError):
    """The vendor has no such record or path (HTTP 404)."""


class VendorValidationError(VendorError):
    """The vendor rejected what was sent (HTTP 400/409/422)."""


class RateLimitedError(VendorError):
    """The vendor asked us to slow down (HTTP 429); ``retry_after`` is in seconds."""

    retriable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class VendorUnavailable(VendorError):
    """The vendor failed on its side (HTTP 5xx), timed out or could not be reached."""

    retriable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class VendorUnreachable(VendorUnavailable):
    """The call never reached the vendor (the connection could not be made), so nothing
    happened there and sending it again is safe whatever the call does."""
