"""Everything a plugin author needs, in one namespace: ``from pontes.plugin import ...``.

A plugin's modules import from here alone:

- ``hookimpl`` and ``ConnectorKit``, to declare a connector and what it can do;
- ``ConnectionSettings`` and ``Connection``, a connection's config model and live object;
- the canonical models (``Contact``, ``Ticket``, ``Event``...) and the capabilities'
  input and output models (``ById``, ``ByEmail``...), with ``CAPABILITIES`` by name;
- the errors a plugin raises (``InvalidPayload``, ``PermanentFailure``...);
- the vendor HTTP client (``VendorClient``, ``RateLimit``, ``RetryPolicy``);
- ``OAuth2``, a connector's OAuth declaration (``ConnectorKit(oauth=...)``), with
  ``TokenAnswer`` for vendors whose token answers need reading, and ``NeedsLogin``;
  ``zoho_oauth`` declares it for any Zoho product (``ZOHO_DATA_CENTRES``,
  ``zoho_accounts_url``, ``zoho_error``, ``zoho_authorization`` for a token given in the
  settings), ``ZohoSettings`` is the base of a Zoho product's settings, and
  ``ZohoAccounts`` is Zoho's accounts server for their sandboxes;
- the declarations a trigger or stream deals in (``WebhookRequest``, ``PollResult``,
  ``Column``...), ``nest_form`` / ``flatten_form`` for form bodies with bracket keys, and
  ``html_to_text`` / ``text_to_html`` for rich text;
- markers, which let ``<entity>.find_created`` find what a create made (``marker_token``,
  ``has_marker``);
- the first of a loose search's hits that really matches (``first_with_email``,
  ``first_with_phone``, ``first_named``);
- ``changed_since``, what a poller reads from a list sorted newest change first;
- the sandbox toolkit (``sandbox_app``, ``SandboxControl``, ``WebhookSender``...), with
  ``odata``, the OData-subset engine for sandboxes of OData vendors
  (``odata.QueryEngine(odata.Dialect(...), odata.Schema([...]))``).

The modules behind these names may move; this list is the stable surface. Tests use
``pontes.testing`` as well.
"""

from . import hookimpl
from .capabilities import (
    CAPABILITIES,
    AgentPermissions,
    ByEmail,
    ById,
    ByName,
    ByPhone,
    Capability,
    CardChannel,
    CompanyPage,
    ContactPage,
    DealsOf,
    EnsureUser,
    FeedEntry,
    FieldChoice,
    FieldInfo,
    FieldsOf,
    FinishDeal,
    IdentifiedUser,
    InteractionsOf,
    NoParams,
    PageOf,
    Pipeline,
    PipelineStage,
    RatingsOf,
    ReplyAll,
    SetTicketStatus,
    SignedUser,
    TicketCard,
    TicketComment,
    TicketField,
    TicketForward,
    TicketRating,
    TicketReply,
    TicketsOf,
    TicketsOfCompany,
    UpdateCompany,
    UpdateContact,
    UpdateDeal,
    UserInfo,
    WebhookInfo,
    WebhookSubscription,
)
from .connection import Connection
from .connector import (
    ChildTable,
    Column,
    ConnectionSettings,
    PollResult,
    WebhookAck,
    WebhookRequest,
)
from .errors import (
    AuthError,
    CapabilityError,
    ConfigError,
    InvalidPayload,
    NotFoundError,
    PermanentFailure,
    RateLimitedError,
    VendorError,
    VendorUnavailable,
    VendorValidationError,
)
from .forms import flatten_form, nest_form
from .http import RateLimit, RetryPolicy, VendorClient, vendor_message
from .kit import ConnectorKit
from .mapping import DateOutOfRange
from .mapping import parse_datetime as parse_vendor_datetime
from .markers import has_marker, marker_token
from .markup import html_to_text, text_to_html
from .matching import first_named, first_with_email, first_with_phone
from .models import (
    DEFAULT_PHONE_REGION,
    Address,
    Chat,
    ClientContext,
    Company,
    Contact,
    Deal,
    DealStatus,
    Direction,
    Event,
    Interaction,
    InteractionKind,
    Message,
    Record,
    Ticket,
    TicketStatus,
    UserRef,
    join_name,
    normalize_email,
    normalize_phone,
    normalize_tax_id,
    split_name,
)
from .oauth import NeedsLogin, OAuth2, TokenAnswer
from .oauth.zoho import (
    ZOHO_DATA_CENTRES,
    ZohoSettings,
    zoho_accounts_url,
    zoho_authorization,
    zoho_error,
    zoho_oauth,
)
from .odata import quote_literal
from .polling import changed_since
from .sandbox import (
    CONTROL_PREFIX,
    SandboxControl,
    WebhookSender,
    WindowLimiter,
    odata,
    sandbox_app,
)
from .sandbox.zoho_accounts import ZohoAccounts

__all__ = [
    "AgentPermissions",
    "CAPABILITIES",
    "CONTROL_PREFIX",
    "DEFAULT_PHONE_REGION",
    "DateOutOfRange",
    "ZOHO_DATA_CENTRES",
    "Address",
    "AuthError",
    "ByEmail",
    "ById",
    "ByName",
    "ByPhone",
    "Capability",
    "CapabilityError",
    "CardChannel",
    "Chat",
    "ChildTable",
    "ClientContext",
    "Column",
    "Company",
    "ConfigError",
    "Connection",
    "ConnectionSettings",
    "ConnectorKit",
    "Contact",
    "Deal",
    "DealStatus",
    "DealsOf",
    "Direction",
    "EnsureUser",
    "Event",
    "FeedEntry",
    "FieldChoice",
    "FieldInfo",
    "FieldsOf",
    "FinishDeal",
    "IdentifiedUser",
    "Interaction",
    "InteractionKind",
    "InteractionsOf",
    "InvalidPayload",
    "Message",
    "NeedsLogin",
    "NoParams",
    "OAuth2",
    "NotFoundError",
    "PermanentFailure",
    "Pipeline",
    "PipelineStage",
    "PollResult",
    "RateLimit",
    "RateLimitedError",
    "Record",
    "RetryPolicy",
    "SandboxControl",
    "RatingsOf",
    "ReplyAll",
    "SetTicketStatus",
    "SignedUser",
    "Ticket",
    "TicketCard",
    "TicketComment",
    "TicketField",
    "TicketForward",
    "TicketRating",
    "TicketReply",
    "TicketStatus",
    "TicketsOf",
    "TicketsOfCompany",
    "UpdateCompany",
    "TokenAnswer",
    "UpdateContact",
    "CompanyPage",
    "ContactPage",
    "PageOf",
    "UpdateDeal",
    "UserInfo",
    "UserRef",
    "VendorClient",
    "VendorError",
    "VendorUnavailable",
    "VendorValidationError",
    "WebhookAck",
    "WebhookInfo",
    "WebhookRequest",
    "WebhookSender",
    "WebhookSubscription",
    "WindowLimiter",
    "ZohoAccounts",
    "ZohoSettings",
    "changed_since",
    "first_named",
    "first_with_email",
    "first_with_phone",
    "flatten_form",
    "has_marker",
    "hookimpl",
    "html_to_text",
    "join_name",
    "marker_token",
    "nest_form",
    "normalize_email",
    "normalize_phone",
    "normalize_tax_id",
    "odata",
    "parse_vendor_datetime",
    "quote_literal",
    "sandbox_app",
    "split_name",
    "text_to_html",
    "vendor_message",
    "zoho_accounts_url",
    "zoho_authorization",
    "zoho_error",
    "zoho_oauth",
]
