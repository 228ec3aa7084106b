"""Form bodies with bracket keys, read into nested data and written from it."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pontes.forms import flatten_form, key_path, nest_form
from pontes.markup import html_to_text, text_to_html


def test_bracket_keys_become_objects_and_lists():
    body = ("secret=s&ticket[id]=7&ticket[tags][]=vip&ticket[tags][]=late"
            "&ticket[client][emails][1][email]=b@x.org&ticket[client][emails][0][email]=a@x.org")
    assert nest_form(parse_qsl(body)) == {"secret": "s", "ticket": {
        "id": "7", "tags": ["vip", "late"],
        "client": {"emails": [{"email": "a@x.org"}, {"email": "b@x.org"}]}}}


def test_keys_of_another_form_are_kept_whole():
    assert key_path("a[b") == ["a[b"] and key_path("[x]") == ["[x]"]
    assert nest_form({"a[b": "1", "plain": "2"}) == {"a[b": "1", "plain": "2"}


@pytest.mark.parametrize("pairs", [[("a", "1"), ("a[b]", "2")], [("a[b]", "2"), ("a", "1")]])
def test_a_value_and_a_container_at_one_path_is_refused(pairs):
    with pytest.raises(ValueError, match="form key"):
        nest_form(pairs)


def test_writing_leaves_nulls_out_and_writes_yes_no_as_digits():
    assert flatten_form({"a": None, "b": True, "c": [], "d": {"e": [1, {"f": False}]}}) == [
        ("b", "1"), ("d[e][0]", "1"), ("d[e][1][f]", "0")]


texts = st.text(alphabet="abcxyz 0189&=+[]%é", min_size=1, max_size=8)
data = st.recursive(
    texts,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=3),
        st.dictionaries(st.from_regex(r"[a-z_]{1,6}", fullmatch=True), inner,
                        min_size=1, max_size=3)),
    max_leaves=8)


@given(st.dictionaries(st.from_regex(r"[a-z_]{1,6}", fullmatch=True), data, min_size=1,
                       max_size=4))
def test_written_data_reads_back_the_same_through_a_real_query_string(value):
    wire = urlencode(flatten_form(value))
    assert nest_form(parse_qsl(wire, keep_blank_values=True)) == value


def test_html_reads_as_text_and_text_writes_as_html():
    assert html_to_text("<p>Hello &amp; <b>bye</b></p><p>2nd</p>") == "Hello & bye\n2nd"
    assert text_to_html("a < b\nc") == "a &lt; b<br>c"
