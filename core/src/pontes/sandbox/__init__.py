"""Building blocks shared by every vendor sandbox.

A sandbox is a Starlette app that answers like one vendor's API from in-memory state. The
vendor behaviour lives in each plugin; what every sandbox needs lives here:

- ``SandboxControl``: the ``/_sandbox`` endpoints a test or demo uses to steer it: queue
  faults (an HTTP status with an optional ``Retry-After``, a slow answer or a dropped
  connection, instead of processing a request or after committing it), read the log of
  requests received, read the webhooks it sent, and reset its state;
- ``WindowLimiter``: a vendor-style requests-per-window limit that answers 429;
- ``WebhookSender``: posts JSON or form bodies to subscribed URLs, as vendors do, and
  records each delivery and its answer;
- ``sandbox_app``: the Starlette app serving a vendor's routes and the control routes;
- ``pontes.sandbox.odata``: an engine for the OData query options (``$filter``,
  ``$select``, ``$expand``, ``$orderby``, ``$top``, ``$skip``) that vendors such as
  Movidesk and Ploomes take, tuned to each vendor by a ``Dialect``.

Control endpoints:

- ``POST /_sandbox/faults`` with ``{"status": 503, "count": 2, "retry_after": 1,
  "delay": 0, "path": "/tickets", "method": "POST", "body": {...}}``: the next ``count``
  matching requests fail (or are delayed by ``delay`` seconds when ``status`` is omitted);
  ``"drop": true`` cuts the connection instead of answering; ``"commit_first": true``
  processes the request first, then answers late, fails or drops (the record exists but
  the caller cannot know it); ``"chance": 0.2`` hits a matching request only with that
  probability (drawn from a seeded generator). Every key is optional; a wrong one is
  answered with 400 naming it;
- ``DELETE /_sandbox/faults``: clear queued faults;
- ``GET /_sandbox/requests``: ``[{method, path, query, status}]`` received so far
  (credentials in the path or query string are masked);
- ``GET /_sandbox/deliveries``: webhooks sent and the answers they got (waits for the
  pending ones first);
- ``POST /_sandbox/reset``: empty the state, the logs, the faults and the rate windows.
"""

from .app import sandbox_app
from .control import CONTROL_PREFIX, SandboxControl
from .faults import Fault
from .limits import WindowLimiter
from .webhooks import Delivery, WebhookSender

__all__ = [
    "CONTROL_PREFIX",
    "Delivery",
    "Fault",
    "SandboxControl",
    "WebhookSender",
    "WindowLimiter",
    "sandbox_app",
]
