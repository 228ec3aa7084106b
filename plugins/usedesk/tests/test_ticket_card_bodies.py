"""Found by make fuzz: a form body that reads as a list (``0``) crashed the dynamic block's
trigger with an AttributeError; it is refused as an invalid body instead."""

from __future__ import annotations

import pytest
from pontes.plugin import InvalidPayload
from pontes.testing import webhook_request

from pontes_usedesk.triggers.ticket_card import parse_ticket_card


def test_a_form_body_that_reads_as_a_list_is_an_invalid_payload():
    with pytest.raises(InvalidPayload, match="object of fields"):
        parse_ticket_card(webhook_request(b"0", "application/x-www-form-urlencoded"))
