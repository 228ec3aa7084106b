"""``pontes.markup.html_to_text`` reads vendor HTML (Ploomes' interaction records, Usedesk's
comments) with an HTML parser: what a pattern over ``<...>`` gets wrong comes out right."""

import pytest
from pontes.markup import html_to_text, text_to_html


@pytest.mark.parametrize(("markup", "text"), [
    ("<p>Hello &amp; <b>bye</b></p><p>2nd</p>", "Hello & bye\n2nd"),
    ('<a title="a > b" href="x">link</a> here', "link here"),
    ("<p>before</p><script>var a = '<p>no</p>';</script><style>p{x:1}</style>after",
     "before\nafter"),
    ("one<!-- a <b>comment</b> -->two", "onetwo"),
    ("line<br>line<BR/>line<br />end", "line\nline\nline\nend"),
    ("<ul><li>a</li><li>b</li></ul><div>c</div>", "a\nb\nc"),
    ("5 &lt; 6 &#8212; &quot;ok&quot; &nbsp;", "5 < 6 \u2014 \"ok\""),
    ("<p>unclosed <b>bold", "unclosed bold"),
    ("plain text, no tags", "plain text, no tags"),
])
def test_html_becomes_the_text_a_reader_sees(markup, text):
    assert html_to_text(markup) == text


def test_text_written_as_html_reads_back_the_same():
    text = 'Ana <ana@example.com> said "5 > 3"\nsecond line'
    assert html_to_text(text_to_html(text)) == text
