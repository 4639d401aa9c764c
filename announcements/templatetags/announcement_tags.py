"""How an organizer's message text becomes the HTML part of its e-mail."""

from __future__ import annotations

import re

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# A web address up to the first space or quote; a trailing full stop, comma, bracket or
# Arabic comma/semicolon belongs to the sentence, not to the address.
WEB_ADDRESS = re.compile(r"""https?://[^\s<>"']*[^\s<>"'.,;:!?)\]،؛]""")


@register.filter(is_safe=True)
def link_addresses(text) -> SafeString:
    """The text escaped, with its web addresses (http and https) as links.

    Not Django's urlize: it tries every word as an e-mail address, raising and
    catching a validation error for each, which cost more than the rest of a
    message and left a trail of garbage in a 5,000-recipient send. The
    placeholders only ever put web addresses into a message.
    """
    text = str(text)
    parts, last = [], 0
    for match in WEB_ADDRESS.finditer(text):
        parts.append(escape(text[last:match.start()]))
        parts.append(format_html('<a href="{}">{}</a>', match.group(0), match.group(0)))
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))
