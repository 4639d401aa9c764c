"""The e-mail that tells a holder their certificate is ready: Arabic first, English below, via the outbox.

The message is the same for every certificate of a forum and kind but for the holder's name, link and code.
A batch of 2,000 certificates would render its templates (subject, text and HTML, in two languages, and the
layout) 2,000 times, which cost about as much as drawing the certificates; so they are rendered once per
forum and kind with marks where those facts go, and each message is the rendering with the marks replaced
(escaped in the HTML part, as the template would). A test holds it equal to rendering the templates with the
certificate itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import escape

from forum.mailing.models import OutgoingMessage
from forum.mailing.rendering import RenderedEmail, render_bilingual_email
from forum.mailing.services import message_build

from .models import Certificate, Kind
from .rendering import verification_url_maker

KIND = "certificate_issued"
# Private-use characters: survive escaping and never occur in names or links.
_MARKS = {name: f"\ue000{name}\ue001" for name in ("name_ar", "name_en", "code", "url")}


class _Marked:
    """A certificate as the e-mail templates read it, with marks in place of what differs by holder."""

    display_name_ar = _MARKS["name_ar"]
    display_name_en = _MARKS["name_en"]
    short_code = _MARKS["code"]

    def __init__(self, kind: str):
        self.kind = kind

    def get_kind_display(self):
        return Kind(self.kind).label  # lazy: translated in each language's part


def _facts(certificate: Certificate, url) -> dict[str, str]:
    return {"name_ar": certificate.display_name_ar, "name_en": certificate.display_name_en,
            "code": certificate.short_code, "url": url(certificate.code)}


def _fill(text: str, facts: dict[str, str], *, html: bool) -> str:
    for name, value in facts.items():
        text = text.replace(_MARKS[name], escape(value) if html else value)
    return text


def certificate_issued_messages(*, certificates: Iterable[Certificate]) -> list[OutgoingMessage]:
    """Unsaved outbox messages, one per certificate that has an e-mail address (for messages_store)."""
    rendered: dict[tuple[int, str], RenderedEmail] = {}
    messages = []
    url = verification_url_maker()
    for certificate in certificates:
        if not certificate.email:
            continue
        forum = certificate.forum
        key = (forum.pk, certificate.kind)
        email = rendered.get(key)
        if email is None:
            email = rendered[key] = render_bilingual_email("certificates/email/issued", {
                "certificate": _Marked(certificate.kind), "forum": forum, "url": _MARKS["url"]})
        facts = _facts(certificate, url)
        messages.append(message_build(
            to=certificate.email, subject=_fill(email.subject, facts, html=False),
            text_body=_fill(email.text, facts, html=False), html_body=_fill(email.html, facts, html=True),
            language=certificate.language, kind=KIND, related=certificate, forum=forum))
    return messages
