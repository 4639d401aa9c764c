"""The speakers' e-mails: templates under templates/speakers/email/, rendered by the mailing app.

Each message is rendered once in Arabic and once in English into one e-mail,
Arabic first and English below (forum.mailing.rendering.render_bilingual_email),
whatever language the person chose, as registration's are. What differs by
language (names, titles, dates, links) is given by a `localize(language)`
function, called with that language active. The messages are stored in the
outbox inside the caller's transaction and sent after commit.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from forum import formatting as fmt
from forum.mailing.rendering import BUTTON_STYLE, render_bilingual_email
from forum.mailing.services import message_enqueue
from forum.models import Forum, Person

from .models import Invitation, ReviewAssignment, WorkingPaper

ROLES = {
    "speaker": gettext_noop("a speaker"),
    "chair": gettext_noop("the chair"),
    "panelist": gettext_noop("a panelist"),
}


def portal_url(name: str, language: str = "ar", **kwargs) -> str:
    """An absolute link to a page of the speakers' portal, in the given language."""
    with translation.override(language):
        return f"{settings.SITE_URL}{reverse(name, kwargs=kwargs or None)}"


def _english(ar: str, en: str, language: str) -> str:
    """The English text where there is one, in the English part; the Arabic otherwise."""
    return (en or ar) if language == "en" else ar


def _send(template: str, context: dict, localize, *, to: str, kind: str, related=None, forum=None) -> None:
    email = render_bilingual_email(f"speakers/email/{template}", context, localize)
    message_enqueue(to=to, subject=email.subject, text_body=email.text, html_body=email.html, language="ar",
                    kind=kind, related=related, forum=forum)


def invitation_mail_enqueue(*, invitation: Invitation, token: str) -> None:
    """The invitation with the person's link (a button in each language's part; the text keeps the plain link).

    Hijri beside Gregorian in both parts, written as on the public pages.
    """
    person, session, forum = invitation.person, invitation.session, invitation.forum
    tz = forum.tzinfo
    start = session.starts_at.astimezone(tz)
    expires_day = invitation.expires_at.astimezone(tz).date()

    def localize(language: str) -> dict:
        hall = session.hall
        return {
            "salutation": person.salutation_en if language == "en" else person.salutation_ar,
            "role": _(ROLES[invitation.role]),
            "session_title": _english(session.title_ar, session.title_en, language),
            "forum_title": _english(forum.title_ar, forum.title_en, language),
            "hall": (_english(hall.name_ar, hall.name_en, language) if hall else ""),
            "date_hijri": fmt.hijri_date(start.date(), language, weekday=True),
            "date_gregorian": fmt.gregorian_date(start.date(), language),
            "time": fmt.clock(start, "arab" if language == "ar" else "latn"),
            "expires": fmt.dual_date(expires_day, language),
            "link": portal_url("speakers:invitation_open", language, token=token),
        }

    _send("invitation", {"message": invitation.message, "button_style": BUTTON_STYLE}, localize,
          to=person.email, kind="speakers.invitation", related=invitation, forum=forum)


def email_change_mail_enqueue(*, person: Person, new_email: str, token: str) -> None:
    """A confirmation link to the new address, and a notice (without the link) to the old one."""

    def localize(language: str) -> dict:
        return {
            "name": person.display_name_en if language == "en" else person.display_name_ar,
            "link": portal_url("speakers:email_confirm", language, token=token),
        }

    _send("email_change", {}, localize, to=new_email, kind="speakers.email_change", related=person)
    if person.email:
        _send("email_change_notice", {"new_email": new_email}, localize, to=person.email,
              kind="speakers.email_change_notice", related=person)


def reminder_mail_enqueue(*, person: Person, forum: Forum, missing: list[str], deadline: datetime | None) -> None:
    """What is still missing (`missing`: untranslated item names), the deadline, and the portal's link."""
    url = portal_url("speakers:portal")
    deadline_text = f"{deadline.astimezone(forum.tzinfo):%Y-%m-%d %H:%M}" if deadline else ""

    def localize(language: str) -> dict:
        return {
            "salutation": person.salutation_en if language == "en" else person.salutation_ar,
            "forum_title": _english(forum.title_ar, forum.title_en, language),
            "items": pgettext("list separator", ", ").join(_(item) for item in missing),
        }

    _send("reminder", {"deadline": deadline_text, "url": url}, localize, to=person.email, kind="speakers.reminder",
          related=person, forum=forum)


def review_request_mail_enqueue(*, assignment: ReviewAssignment) -> None:
    paper = assignment.paper
    url = portal_url("speakers:review", assignment_id=assignment.pk)

    def localize(language: str) -> dict:
        return {
            "paper_title": _english(paper.title_ar, paper.title_en, language),
            "forum_title": _english(paper.forum.title_ar, paper.forum.title_en, language),
        }

    _send("review_request", {"url": url}, localize, to=assignment.reviewer.email, kind="speakers.review_request",
          related=assignment, forum=paper.forum)


def decision_mail_enqueue(*, paper: WorkingPaper, decision: str, comment: str) -> None:
    """Each speaker of the paper is told the decision; on revise, with the comments and the portal's link."""
    url = portal_url("speakers:paper", paper_id=paper.pk)
    for person in paper.speakers.all():
        if not person.email:
            continue

        def localize(language: str, person=person) -> dict:
            return {
                "salutation": person.salutation_en if language == "en" else person.salutation_ar,
                "paper_title": _english(paper.title_ar, paper.title_en, language),
            }

        _send("decision", {"decision": decision, "comment": comment, "url": url}, localize, to=person.email,
              kind=f"speakers.decision.{decision}", related=paper, forum=paper.forum)
