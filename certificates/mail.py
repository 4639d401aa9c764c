"""The e-mail that tells a holder their certificate is ready: Arabic first, English below, via the outbox."""

from __future__ import annotations

from forum.mailing.models import OutgoingMessage
from forum.mailing.rendering import render_bilingual_email
from forum.mailing.services import message_enqueue

from .models import Certificate
from .rendering import verification_url

KIND = "certificate_issued"


def certificate_issued_enqueue(*, certificate: Certificate) -> OutgoingMessage:
    forum = certificate.forum
    context = {"certificate": certificate, "forum": forum, "url": verification_url(certificate.code)}
    email = render_bilingual_email("certificates/email/issued", context)
    return message_enqueue(to=certificate.email, subject=email.subject, text_body=email.text, html_body=email.html,
                           language=certificate.language, kind=KIND, related=certificate, forum=forum)
