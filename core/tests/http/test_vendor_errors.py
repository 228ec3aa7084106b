"""Error answers: the typed error each status becomes, and the vendor's own message in it."""

from __future__ import annotations

import pytest
from pontes.errors import AuthError, NotFoundError, VendorValidationError

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, VendorValidationError),
        (401, AuthError),
        (403, AuthError),
        (404, NotFoundError),
        (409, VendorValidationError),
        (422, VendorValidationError),
    ],
)
async def test_permanent_errors_are_raised_at_once_and_typed(vendor, waits, client_for, status, error_type):
    vendor.then(status, {"message": f"refused with {status}"})
    async with client_for(vendor.base_url, waits) as client:
        with pytest.raises(error_type) as caught:
            await client.post_json("/tickets", json={"subject": "x"})
    assert type(caught.value) is error_type
    assert caught.value.status == status
    assert caught.value.message == f"refused with {status}"
    assert not caught.value.retriable
    assert len(vendor.received) == 1
    assert waits == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"message": "Invalid e-mail"}, "Invalid e-mail"),
        ({"Message": "An error has occurred."}, "An error has occurred."),
        ({"errors": [{"message": "name is required"}, {"message": "email is invalid"}]},
         "name is required; email is invalid"),
        ({"errors": ["first problem", "second problem"]}, "first problem; second problem"),
        ({"error": {"code": "", "message": "The entity Deals(9) was not found"}},
         "The entity Deals(9) was not found"),
        ({"error": "invalid_grant", "error_description": "Refresh token expired"},
         "Refresh token expired"),
        ({"Message": "The request is invalid.",
          "ModelState": {"person.Email": ["The Email field is not a valid e-mail address."]}},
         "The request is invalid.; person.Email: The Email field is not a valid e-mail address."),
        ({"title": "Bad Request", "detail": "Request validation failed",
          "validation-errors": [{"request_id": "0", "errors": [
              {"code": "NotSupportedChoice", "path": "custom_fields_values.0.field_id",
               "detail": "The value you selected is not a valid choice."}]}]},
         "Request validation failed; custom_fields_values.0.field_id: "
         "The value you selected is not a valid choice."),
        ("Token inválido", "Token inválido"),
        ({"unexpected": {"shape": 1}}, '{"unexpected": {"shape": 1}}'),
    ],
)
async def test_the_vendors_own_message_is_extracted(vendor, waits, client_for, body, expected):
    vendor.then(422, body)
    async with client_for(vendor.base_url, waits) as client:
        with pytest.raises(VendorValidationError) as caught:
            await client.get_json("/persons")
    assert caught.value.message == expected
    assert expected in str(caught.value)


async def test_a_plain_text_error_is_the_message(vendor, waits, client_for):
    vendor.then(400, text="  Parameter $select\n is required  ")
    async with client_for(vendor.base_url, waits) as client:
        with pytest.raises(VendorValidationError) as caught:
            await client.get_json("/tickets")
    assert caught.value.message == "Parameter $select is required"


async def test_an_html_error_page_is_reduced_to_its_text(vendor, waits, client_for):
    page = "<html><head><style>p{}</style></head><body><h1>403 Forbidden</h1><p>IP blocked</p></body></html>"
    vendor.then(403, text=page, media_type="text/html")
    async with client_for(vendor.base_url, waits) as client:
        with pytest.raises(AuthError) as caught:
            await client.get_json("/tickets")
    assert caught.value.message == "403 Forbidden IP blocked"


async def test_an_empty_error_body_falls_back_to_the_reason(vendor, waits, client_for):
    vendor.then(404, text="")
    async with client_for(vendor.base_url, waits) as client:
        with pytest.raises(NotFoundError) as caught:
            await client.get_json("/tickets/9")
    assert caught.value.message == "Not Found"
