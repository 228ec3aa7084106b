"""Redaction masks a secret in every spelling it travels in: percent-encoded however the
encoder chose, JSON- and HTML-escaped, and base64 in both alphabets, padded or not, alone
or inside ``user:secret``. What is left is scanned by ``pontes.testing.leaks``, which
decodes the text instead of sharing the redactor's patterns."""

from __future__ import annotations

import base64
import html
import json
from urllib.parse import quote, quote_plus, urlencode

import pytest
from pontes.http import Redactor
from pontes.testing.leaks import describe_leaks, find_leaks

SECRET = "mvdk/7Tok+en=&q 9x~é"
"""Every character class an encoder treats differently: reserved, space, unreserved,
non-ASCII."""


def b64(text: str, *, urlsafe: bool = False, padded: bool = True) -> str:
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    encoded = encode(text.encode()).decode()
    return encoded if padded else encoded.rstrip("=")


def percent_spellings(secret: str) -> dict[str, str]:
    every_byte = "".join(f"%{byte:02X}" for byte in secret.encode())
    return {
        "quote": quote(secret),
        "quote, nothing safe": quote(secret, safe=""),
        "quote_plus": quote_plus(secret),
        "quote_plus, slash safe": quote_plus(secret, safe="/"),
        "lower-case hex": quote(secret, safe="").replace("%2F", "%2f").replace("%C3%A9", "%c3%a9"),
        "every byte encoded": every_byte,
        "urlencode": urlencode({"key": secret}).partition("=")[2],
    }


def base64_spellings(secret: str) -> dict[str, str]:
    found = {}
    for urlsafe in (False, True):
        for padded in (False, True):
            alphabet = f"{'url-safe' if urlsafe else 'standard'}{', padded' if padded else ''}"
            found[f"base64 {alphabet}"] = b64(secret, urlsafe=urlsafe, padded=padded)
            for user in ("u", "us", "use", "user"):  # every position within a 3-byte group
                found[f"basic auth of {user!r}, {alphabet}"] = b64(f"{user}:{secret}",
                                                                  urlsafe=urlsafe, padded=padded)
    basic = b64(f"user:{secret}")
    found["basic auth, percent-encoded"] = quote(basic, safe="")
    found["secret then more, base64"] = b64(f"{secret}:tail")
    return found


SPELLINGS = {
    "plain": SECRET,
    **percent_spellings(SECRET),
    "JSON, ASCII only": json.dumps(SECRET)[1:-1],
    "JSON, slash escaped": json.dumps(SECRET)[1:-1].replace("/", "\\/"),
    "HTML": html.escape(SECRET),
    "HTML, Jinja quotes": html.escape(SECRET).replace("&#x27;", "&#39;"),
    **base64_spellings(SECRET),
}


def test_the_spellings_really_differ_from_the_secret():
    """Otherwise masking the plain secret would mask them all, and prove nothing."""
    distinct = {name: text for name, text in SPELLINGS.items() if SECRET not in text}
    assert len(distinct) == len(SPELLINGS) - 1


@pytest.mark.parametrize("name", sorted(SPELLINGS))
def test_every_spelling_of_a_secret_is_masked(name):
    spelled = SPELLINGS[name]
    message = f"the vendor refused {spelled} (sent in {name}); try again"
    assert find_leaks(message, {"secret": SECRET}, name), "the scanner must see the secret"

    masked = Redactor([SECRET]).text(message)

    assert not find_leaks(masked, {"secret": SECRET}, name), describe_leaks(
        find_leaks(masked, {"secret": SECRET}, name))
    assert masked.startswith("the vendor refused ") and masked.endswith(f"(sent in {name}); try again")
    if "base64" not in name and "basic auth" not in name:
        assert masked == message.replace(spelled, "***"), "the whole spelling is masked"
    assert "***" in masked


def test_spellings_inside_a_url_and_a_json_body_are_masked():
    redactor = Redactor([SECRET], params=["token"])
    url = f"https://v.test/api/{quote(SECRET, safe='')}?token={quote_plus(SECRET)}&page=2"
    body = json.dumps({"detail": f"Basic {b64('me:' + SECRET)}", "echo": SECRET})

    for text in (redactor.url(url), redactor.text(body)):
        assert not find_leaks(text, {"secret": SECRET}, "text"), text
    assert redactor.url(url) == "https://v.test/api/***?token=***&page=2"


def test_the_password_of_a_basic_credential_is_masked_wherever_it_shows():
    header = f"Basic {b64('agent:' + SECRET)}"
    redactor = Redactor([header])

    for text in (header, SECRET, quote(SECRET), b64(SECRET, urlsafe=True)):
        assert not find_leaks(redactor.text(f"got {text}"), {"secret": SECRET}, "text")


def test_ordinary_text_is_left_alone():
    redactor = Redactor([SECRET, "short-but-fine"])
    text = ("ticket 42 (Nota fiscal) failed: HTTP 400 from https://v.test/api?page=2; "
            "dXNlcjpvdGhlcg== is someone else's basic credential, and so is abc+def%2F")
    assert redactor.text(text) == text
    assert Redactor(["abc"]).text("abc is too short to be told from a word") == (
        "abc is too short to be told from a word")
