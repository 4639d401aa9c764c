"""The HTML part of a message: the organizer's text escaped, its web addresses as links."""

from announcements.templatetags.announcement_tags import link_addresses


def test_link_addresses_links_web_addresses_and_leaves_the_sentence_punctuation_out():
    html = link_addresses("بطاقتكم: https://forum.example.org/b/abc123/، نرجو الحضور (https://x.example/y).")
    assert '<a href="https://forum.example.org/b/abc123/">https://forum.example.org/b/abc123/</a>،' in html
    assert '(<a href="https://x.example/y">https://x.example/y</a>).' in html


def test_link_addresses_escapes_the_text_around_the_links():
    html = link_addresses('<script>alert(1)</script> & "quotes" http://a.example/?q=1&r=2')
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;" in html
    assert '<a href="http://a.example/?q=1&amp;r=2">http://a.example/?q=1&amp;r=2</a>' in html


def test_link_addresses_leaves_addresses_without_a_scheme_and_e_mail_addresses_as_text():
    text = "اكتبوا إلى info@example.org أو زوروا www.example.org"
    assert link_addresses(text) == text


def test_link_addresses_does_not_link_an_address_that_tries_to_break_out_of_the_attribute():
    html = link_addresses('http://a.example/"onmouseover="x')
    assert html.startswith('<a href="http://a.example/">http://a.example/</a>&quot;onmouseover=&quot;x')
