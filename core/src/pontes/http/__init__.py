"""The HTTP client every plugin uses to call its vendor.

``VendorClient`` wraps ``httpx.AsyncClient`` with what every vendor integration needs and
none should write twice:

- a rate budget per vendor account, set from the vendor's published limit and kept over
  every rolling window, shared by every client of that account in one runtime, or in every
  process with budgets kept in the store; a vendor's 429 or ``Retry-After`` pauses it
  (``ratelimit``: ``RateLimit``, ``RateBudgets``);
- retries on 429, 5xx, timeouts and connection errors, with exponential backoff, full
  jitter and a cap, honouring ``Retry-After``, but never a POST or PATCH that the vendor
  may have carried out already (a timeout, a dropped connection, a 5xx) unless the call
  is declared ``retry_safe``; a wait longer than ``max_inline_wait`` is
  not slept through but raised, so the engine reschedules the event instead of holding a
  worker (Movidesk locks a token out for 60 s and more) (``retry``: ``RetryPolicy``);
- typed errors carrying the vendor's own message (``vendor_errors``, ``pontes.errors``);
- secrets redacted from URLs, headers, logs and error text: credentials sent in the
  query string never leave the client in clear (``redaction``: ``Redactor``).

Import everything from ``pontes.http``; the modules behind it are its layout, not its API.
"""

from .client import CallObserver, VendorClient
from .ratelimit import (
    BudgetUsage,
    InProcessBucket,
    InProcessRateBudgets,
    RateBucket,
    RateBudgets,
    RateLimit,
    Reservation,
    WindowBucket,
)
from .redaction import (
    REDACTED,
    SECRET_HEADER_NAMES,
    SECRET_PARAM_NAMES,
    Redactor,
    is_secret_header,
)
from .retry import RetryPolicy, may_resend, resend_safe, retry_after_seconds
from .vendor_errors import MAX_MESSAGE, error_for, vendor_message

__all__ = [
    "MAX_MESSAGE",
    "REDACTED",
    "SECRET_HEADER_NAMES",
    "SECRET_PARAM_NAMES",
    "BudgetUsage",
    "CallObserver",
    "InProcessBucket",
    "InProcessRateBudgets",
    "RateBucket",
    "RateBudgets",
    "RateLimit",
    "Redactor",
    "Reservation",
    "RetryPolicy",
    "VendorClient",
    "WindowBucket",
    "error_for",
    "is_secret_header",
    "may_resend",
    "resend_safe",
    "retry_after_seconds",
    "vendor_message",
]
