"""Signed, expiring tokens bound to a purpose."""

import pytest
from pontes.web.signing import BadSignature, sign, unsign

KEY = b"installation-key-for-tests"


def test_a_token_gives_back_its_data_for_its_purpose() -> None:
    token = sign(KEY, "panel", {"ticket": "42", "n": 3}, lifetime=60)
    assert unsign(KEY, "panel", token) == {"ticket": "42", "n": 3}


def test_a_token_is_refused_for_another_purpose() -> None:
    token = sign(KEY, "panel", {"ticket": "42"}, lifetime=60)
    with pytest.raises(BadSignature, match="not one pontes signed"):
        unsign(KEY, "csrf", token)


def test_a_token_is_refused_under_another_key() -> None:
    token = sign(KEY, "panel", {"ticket": "42"}, lifetime=60)
    with pytest.raises(BadSignature):
        unsign(b"another-key", "panel", token)


def test_a_changed_payload_is_refused() -> None:
    token = sign(KEY, "panel", {"ticket": "42"}, lifetime=60)
    forged = sign(KEY, "panel", {"ticket": "43"}, lifetime=60)
    mixed = forged.partition(".")[0] + "." + token.partition(".")[2]
    with pytest.raises(BadSignature):
        unsign(KEY, "panel", mixed)


def test_an_expired_token_is_refused() -> None:
    token = sign(KEY, "panel", {"ticket": "42"}, lifetime=60, now=1000.0)
    assert unsign(KEY, "panel", token, now=1059.0) == {"ticket": "42"}
    with pytest.raises(BadSignature, match="expired"):
        unsign(KEY, "panel", token, now=1061.0)


@pytest.mark.parametrize("token", ["", "abc", "abc.def", ".", "x" * 10 + "."])
def test_malformed_tokens_are_refused(token: str) -> None:
    with pytest.raises(BadSignature):
        unsign(KEY, "panel", token)


def test_the_expiry_key_is_reserved() -> None:
    with pytest.raises(ValueError, match="exp"):
        sign(KEY, "panel", {"exp": 1}, lifetime=60)
