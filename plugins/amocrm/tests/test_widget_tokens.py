"""amoCRM's one-time widget tokens, checked as ``user.identify`` checks them: the
signature with the integration's secret, HS256 only, and the token's life."""

from __future__ import annotations

import base64
import json

import pytest

from pontes_amocrm.actions.widget_tokens import LEEWAY, origin, verified_claims
from pontes_amocrm.sandbox.widget_tokens import signed_token

SECRET = "integration-secret"
NOW = 1_750_000_000
CLAIMS = {"iss": "https://acme.amocrm.ru", "nbf": NOW, "exp": NOW + 600, "user_id": 504141}


def test_a_token_signed_with_the_secret_gives_its_claims():
    assert verified_claims(signed_token(CLAIMS, SECRET), SECRET.encode(), NOW) == CLAIMS


@pytest.mark.parametrize("token, now, reason", [
    (signed_token(CLAIMS, "another-secret"), NOW, "not signed with this integration"),
    (signed_token(CLAIMS, SECRET), NOW - LEEWAY - 1, "not valid yet"),
    (signed_token(CLAIMS, SECRET), NOW + 600 + LEEWAY, "has expired"),
    (signed_token({**CLAIMS, "exp": None}, SECRET), NOW, "has no exp"),
    ("a.b", NOW, "no three parts"),
])
def test_a_token_of_another_key_outside_its_life_or_malformed_is_refused(token, now, reason):
    with pytest.raises(ValueError, match=reason):
        verified_claims(token, SECRET.encode(), now)


def test_an_unsigned_token_is_refused_even_with_an_empty_signature():
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).decode()
    body = signed_token(CLAIMS, SECRET).split(".")[1]
    with pytest.raises(ValueError, match="not signed with HS256"):
        verified_claims(f"{header.rstrip('=')}.{body}.", SECRET.encode(), NOW)


def test_an_account_is_compared_by_its_origin():
    assert origin("https://Acme.amocrm.ru/") == origin("https://acme.amocrm.ru") == \
        "https://acme.amocrm.ru"
