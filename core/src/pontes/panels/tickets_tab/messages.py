"""What the Tickets tab says when it refuses something or something fails, in the tab's
language.

Each message is written here in English with ``%(name)s`` placeholders, and the catalogs
of the other languages (``pontes/web/locales/<language>.json``) translate it, keyed by
the English text as every page message is (``pontes.web.i18n``). ``MESSAGES`` lists them
all, so a test can check that every catalog has each one.
"""

from __future__ import annotations

from ...web.i18n import translate

NO_TAB = "There is no Tickets tab here."
BAD_KEY = "This tab address is not valid for this integration."
NO_RECORD_ID = "The tab address needs the record's id (id=...)."
UNKNOWN_MODULE = "The tab shows contacts, companies and deals, not %(module)s."
BAD_LINK = "This tab link has expired or is not valid. Open the record again."
NOT_MAPPED = ("Your %(crm)s user (%(user)s) is not mapped to a %(helpdesk)s agent. Ask the "
              "operator to add it to the integration's agents.")
NO_USER = ("This tab does not know your CRM user, so it is not mapped to a %(helpdesk)s "
           "agent. Ask the operator to add it to the integration's agents.")
FORM_EXPIRED = "This form has expired or was not sent from this tab. Reload the page and retry."
CANNOT = "%(helpdesk)s cannot do this (%(feature)s) through pontes."
NOT_THIS_RECORDS = "Ticket %(ticket)s is not one of this record's tickets."
RATE_LIMITED = ("%(crm)s or %(helpdesk)s is limiting how fast pontes may call it. Wait a "
                "moment and retry.")
UNAVAILABLE = "%(crm)s or %(helpdesk)s is not answering right now."
NO_PERMISSION = ("%(helpdesk)s refused: the agent you work as has no permission to do this in "
                 "%(helpdesk)s. Ask a %(helpdesk)s administrator for it.")
REFUSED = "%(crm)s or %(helpdesk)s refused the request."
FAILED = "Something went wrong."
TICKET_REFUSED = "%(helpdesk)s refused the ticket: %(reason)s"
REQUIRED = "%(field)s is required."
NOT_AN_EMAIL = "%(value)s is not an e-mail address."
NOT_A_CHOICE = "%(field)s: choose one of the values listed."
NOT_A_DATE = "%(field)s needs a date (year-month-day)."
NOT_A_NUMBER = "%(field)s needs a number."
WRITE_REPLY = "Write the reply first."
FORWARD_ADDRESS = "Forward needs an e-mail address to send the ticket to."
CHOOSE_STATUS = "Choose one of the statuses listed."

MESSAGES = (NO_TAB, BAD_KEY, NO_RECORD_ID, UNKNOWN_MODULE, BAD_LINK, NOT_MAPPED, NO_USER,
            FORM_EXPIRED, CANNOT, NOT_THIS_RECORDS, RATE_LIMITED, UNAVAILABLE, NO_PERMISSION,
            REFUSED, FAILED, TICKET_REFUSED, REQUIRED, NOT_AN_EMAIL, NOT_A_CHOICE, NOT_A_DATE,
            NOT_A_NUMBER, WRITE_REPLY, FORWARD_ADDRESS, CHOOSE_STATUS)
"""Every message of the tab's refusals and failures."""


def say(language: str, message: str, **values: object) -> str:
    """``message`` in ``language``, its placeholders filled with ``values``."""
    return translate(language, message) % values
