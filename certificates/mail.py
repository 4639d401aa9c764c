"""The e-mail that tells a holder their certificate is ready: Arabic first, English below, via the outbox."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from forum.mailing.models import OutgoingMessage
from forum.mailing.services import message_enqueue

from .models import Certificate
from .rendering import verification_url

KIND = "certificate_issued"


def certificate_issued_enqueue(*, certificate: Certificate) -> OutgoingMessage:
    forum = certificate.forum
    context = {"certificate": certificate, "forum": forum, "url": verification_url(certificate.code)}
    texts, htmls, subjects = [], [], []
    for language in ("ar", "en"):
        with translation.override(language):
            ctx = {**context, "language": language}
            subjects.append(render_to_string("certificates/email/issued_subject.txt", ctx).strip())
            texts.append(render_to_string("certificates/email/issued.txt", ctx).strip())
            htmls.append(render_to_string("certificates/email/issued.html", ctx).strip())
    html = render_to_string("registration/email/bilingual.html", {"parts": htmls})
    return message_enqueue(to=certificate.email, subject=" | ".join(subjects), text_body="\n\n———\n\n".join(texts),
                           html_body=html, language=certificate.language, kind=KIND, related=certificate, forum=forum)
