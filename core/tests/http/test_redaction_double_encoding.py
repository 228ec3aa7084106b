"""A secret encoded twice is still a secret: percent-encoded twice (a URL inside a URL's
query), and base64 of the secret percent-encoded (a form value packed into a token). The
redactor masks both, and ``pontes.testing.leaks`` finds both when they are left."""

from __future__ import annotations

import base64
import re
from urllib.parse import quote, quote_plus

import pytest
from pontes.http import Redactor
from pontes.testing.leaks import describe_leaks, find_leaks

SECRET = "mvdk/7Tok+en=&q 9x~é"


def b64(text: str, *, urlsafe: bool = False) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return encode(text.encode()).decode()


DOUBLE_SPELLINGS = {
    "quote twice": quote(quote(SECRET, safe=""), safe=""),
    "quote, then quote with / safe": quote(quote(SECRET)),
    "quote_plus twice": quote_plus(quote_plus(SECRET)),
    "every byte encoded twice": "".join(f"%25{byte:02X}" for byte in SECRET.encode()),
    "lower-case hex, twice": re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(),
                                    quote(quote(SECRET, safe=""), safe="")),
    "base64 of quote": b64(quote(SECRET, safe="")),
    "base64 of quote, / safe": b64(quote(SECRET)),
    "base64 of quote_plus": b64(quote_plus(SECRET)),
    "url-safe base64 of quote_plus, unpadded": b64(quote_plus(SECRET), urlsafe=True).rstrip("="),
    "base64 of encodeURIComponent": b64(quote(SECRET, safe="!*'()")),
    "base64 of a basic credential of quote": b64(f"user:{quote(SECRET, safe='')}"),
}


def test_the_double_spellings_do_not_show_the_secret_once_decoded():
    for name, spelling in DOUBLE_SPELLINGS.items():
        assert SECRET not in spelling, name
        assert quote(SECRET, safe="") not in spelling or "%25" in spelling, name


@pytest.mark.parametrize("name", sorted(DOUBLE_SPELLINGS))
def test_the_scanner_finds_a_secret_encoded_twice(name):
    text = f"before {DOUBLE_SPELLINGS[name]} after"
    assert find_leaks(text, {"token": SECRET}, name), f"{name}: not found in {text!r}"


@pytest.mark.parametrize("name", sorted(DOUBLE_SPELLINGS))
def test_a_secret_encoded_twice_is_masked(name):
    text = f"callback=https://x.example/?t={DOUBLE_SPELLINGS[name]}&more=1 done"

    masked = Redactor([SECRET]).text(text)

    assert "***" in masked and masked.endswith("&more=1 done"), masked
    leaks = find_leaks(masked, {"token": SECRET}, name)
    assert not leaks, describe_leaks(leaks)


def test_ordinary_encoded_text_is_left_alone():
    text = quote(quote("an ordinary sentence / with ~ signs", safe=""), safe="")
    assert Redactor([SECRET]).text(text) == text
    assert Redactor([SECRET]).text(b64(quote("nothing secret here"))) == b64(
        quote("nothing secret here"))
