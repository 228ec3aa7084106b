"""What the engine keeps has the connections' secrets masked: delivery bodies (UTF-8 or
not), headers and event data, in every spelling."""

from __future__ import annotations

import base64

from pontes.connection import Connection
from pontes.connector import ConnectionSettings
from pontes.engine.masking import masked_body, masked_data, masked_headers, secret_values
from pydantic import SecretStr

TOKEN = "tok/en+9=secret"
NESTED = "nested-secret-7890"


class _Secretive(ConnectionSettings):
    token: SecretStr
    nested: dict[str, SecretStr] = {}
    label: str = "not a secret"


def connections() -> list[Connection]:
    settings = _Secretive(plugin="x", token=TOKEN, nested={"k": NESTED})
    return [Connection("crm", None, settings)]


def test_every_secret_field_of_the_settings_is_known():
    assert sorted(secret_values(connections())) == sorted([TOKEN, NESTED])


def test_a_utf8_body_is_masked_and_otherwise_kept():
    body = f'{{"Key": "{TOKEN}", "name": "Ação", "b64": "{base64.b64encode(NESTED.encode()).decode()}"}}'

    assert masked_body(body.encode(), connections()) == (
        '{"Key": "***", "name": "Ação", "b64": "***"}'.encode())


def test_a_body_that_is_not_utf8_keeps_every_other_byte():
    body = b"\xff\xfe token=" + TOKEN.encode() + b" \x80 end"

    assert masked_body(body, connections()) == b"\xff\xfe token=*** \x80 end"
    assert masked_body(b"", connections()) == b""
    assert masked_body(body, []) == body


def test_headers_and_event_data_are_masked():
    assert masked_headers({"x-key": TOKEN, "accept": "*/*"}, connections()) == {
        "x-key": "***", "accept": "*/*"}
    data = {"id": 5, "payload": {"ValidationKey": NESTED, "list": [f"a {TOKEN} b", 1.5]}}
    assert masked_data(data, connections()) == {
        "id": 5, "payload": {"ValidationKey": "***", "list": ["a *** b", 1.5]}}
