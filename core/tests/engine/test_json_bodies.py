"""Reading untrusted JSON: what ``json.loads`` accepts but nothing after it can carry is
refused with a reason, whatever Content-Type the body was sent with; keys and reasons are
made storable."""

from __future__ import annotations

import pytest
from pontes.engine import decode_body
from pontes.engine.inbox import KEY_LIMIT, fit_key, storable_text
from pontes.engine.json_bodies import MAX_NESTING, UnsafeJson, read_json
from pontes.errors import InvalidPayload


@pytest.mark.parametrize(("raw", "reason"), [
    (b"[NaN]", "NaN is not a JSON number"),
    (b'{"a": Infinity}', "Infinity is not a JSON number"),
    (b"[-Infinity]", "-Infinity is not a JSON number"),
    (b"[1e400]", "the number 1e400 is out of range"),
    (b"[-1e400]", "the number -1e400 is out of range"),
    (b"[" + b"9" * 4301 + b"]", "a number has 4301 digits; at most 4300 are accepted"),
    (b'{"a": "\\ud800"}', "JSON text holds a lone surrogate (\\ud800), which is not Unicode"),
    (b'{"\\udfff": 1}', "JSON text holds a lone surrogate (\\udfff), which is not Unicode"),
    (b'["\xed\xa0\x80"]', "JSON text holds a lone surrogate (\\ud800), which is not Unicode"),
    (b"[" * (MAX_NESTING + 1) + b"]" * (MAX_NESTING + 1), "JSON nested deeper than 64 levels"),
    (b'{"a":' * 300 + b"1" + b"}" * 300, "JSON nested deeper than 64 levels"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON nested deeper than 64 levels"),
])
def test_json_that_nothing_after_the_parser_can_carry_is_refused(raw, reason):
    with pytest.raises(UnsafeJson) as refused:
        read_json(raw)
    assert str(refused.value) == reason


def test_plain_json_is_read_as_json_loads_reads_it():
    deepest = b"[" * MAX_NESTING + b"]" * MAX_NESTING
    assert read_json(b'{"a": [1, -2.5, 1e308, "\\ud83d\\ude00", null, true]}') == {
        "a": [1, -2.5, 1e308, "😀", None, True]}
    assert read_json(b"[" + b"9" * 4300 + b"]") == [int("9" * 4300)]
    assert read_json(deepest) is not None
    assert read_json("\ufeff{}".encode()) == {}


@pytest.mark.parametrize("raw", [b"{nope", b"\xff", b"", b"[1,]"])
def test_what_is_not_json_is_an_invalid_payload_saying_so(raw):
    with pytest.raises(InvalidPayload, match="^body is not valid JSON: ") as refused:
        read_json(raw)
    assert not isinstance(refused.value, UnsafeJson)


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", ""])
def test_unsafe_json_is_refused_whatever_its_declared_type(content_type):
    with pytest.raises(InvalidPayload, match="NaN is not a JSON number"):
        decode_body(b'{"Id": NaN}', content_type)
    with pytest.raises(InvalidPayload, match="nested deeper"):
        decode_body(b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}", content_type)


def test_a_json_body_after_a_byte_order_mark_is_read_whatever_its_declared_type():
    assert decode_body(b'\xef\xbb\xbf {"a": 1}', "text/plain") == {"a": 1}


@pytest.mark.parametrize("key", ["a\x00b", "chat:\ud800", "x" * (KEY_LIMIT + 1)])
def test_keys_a_text_column_cannot_hold_are_stored_as_their_hash(key):
    fitted = fit_key(key)
    assert fitted.startswith("sha256:") and len(fitted) <= KEY_LIMIT
    assert fitted == fit_key(key) and fitted.isascii()


def test_reasons_are_stored_with_nul_and_lone_surrogates_escaped_and_cut_to_length():
    assert storable_text("id '\x00\ud800' é") == "id '\\x00\\ud800' é"
    assert storable_text("x" * 5000, 100) == "x" * 97 + "..."
