"""Decisions held until released in bulk, their editable e-mails, confirmation by the authors,
expiry of unconfirmed acceptances, and the confirmed paper's way into the agenda."""

from __future__ import annotations

import string
from datetime import datetime

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import formatting as fmt
from forum.errors import DomainError, NotFound
from forum.mailing.services import message_enqueue
from forum.models import Person
from sessions.models import Session, SessionItem
from speakers import intake
from speakers.models import WorkingPaper

from ..models import Call, CoAuthor, Decision, DecisionTemplate, Outcome, Submission
from ._common import bilingual, require_organizer, site_links
from .submitting import unconfirmed_at_deadline

DECIDABLE = (Submission.Status.SUBMITTED, Submission.Status.UNDER_REVIEW)
PLACEHOLDERS = ("name", "title", "theme", "confirm_by", "link")

DEFAULT_TEMPLATES = {
    Outcome.ACCEPT: (
        "قبول ورقتكم", "Your paper was accepted",
        "{name}،\n\nيسرّنا إبلاغكم بقبول ورقتكم «{title}» في محور «{theme}».\n"
        "نرجو تأكيد حضوركم لتقديمها قبل {confirm_by} من الرابط:\n{link}\n",
        "{name},\n\nWe are pleased to tell you that your paper “{title}” in the theme “{theme}” was accepted.\n"
        "Please confirm that you will present it before {confirm_by}:\n{link}\n",
    ),
    Outcome.REJECT: (
        "نتيجة تحكيم ورقتكم", "The review of your paper",
        "{name}،\n\nنشكركم على تقديم ورقتكم «{title}» في محور «{theme}»، ونعتذر عن عدم قبولها هذا العام.\n",
        "{name},\n\nThank you for submitting “{title}” in the theme “{theme}”. We regret that it was not "
        "accepted this year.\n",
    ),
    Outcome.WAITLIST: (
        "ورقتكم في قائمة الانتظار", "Your paper is on the waiting list",
        "{name}،\n\nوُضعت ورقتكم «{title}» في محور «{theme}» في قائمة الانتظار، وسنبلغكم إن أتيح لها مكان.\n",
        "{name},\n\nYour paper “{title}” in the theme “{theme}” is on the waiting list; we will tell you if a "
        "place opens.\n",
    ),
}


def _check_placeholders(text: str, field: str) -> None:
    try:
        names = {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError:
        raise DomainError(_("A brace is not closed. Write placeholders as {name}."), field=field, code="bad_template")
    unknown = names - set(PLACEHOLDERS)
    if unknown:
        raise DomainError(_("Unknown placeholder %(names)s. Use: %(known)s.") % {
            "names": ", ".join("{" + n + "}" for n in sorted(unknown)),
            "known": ", ".join("{" + n + "}" for n in PLACEHOLDERS)}, field=field, code="bad_template")


@transaction.atomic
def template_save(*, call: Call, outcome: str, user, subject_ar: str, body_ar: str, subject_en: str = "",
                  body_en: str = "") -> DecisionTemplate:
    require_organizer(user, call.forum)
    if outcome not in Outcome.values:
        raise DomainError(_("Choose accept, reject or waiting list."), field="outcome", code="bad_outcome")
    if not subject_ar.strip():
        raise DomainError(_("The subject in Arabic is required."), field="subject_ar", code="required")
    if not body_ar.strip():
        raise DomainError(_("The text in Arabic is required."), field="body_ar", code="required")
    for field, text in (("subject_ar", subject_ar), ("subject_en", subject_en), ("body_ar", body_ar),
                        ("body_en", body_en)):
        _check_placeholders(text, field)
    template, _created = DecisionTemplate.objects.update_or_create(
        call=call, outcome=outcome,
        defaults={"subject_ar": subject_ar, "subject_en": subject_en, "body_ar": body_ar, "body_en": body_en},
    )
    return template


def template_for(call: Call, outcome: str, templates: dict | None = None) -> DecisionTemplate:
    found = (templates or {}).get(outcome) if templates is not None else (
        DecisionTemplate.objects.filter(call=call, outcome=outcome).first())
    if found is not None:
        return found
    s_ar, s_en, b_ar, b_en = DEFAULT_TEMPLATES[outcome]
    return DecisionTemplate(call=call, outcome=outcome, subject_ar=s_ar, subject_en=s_en, body_ar=b_ar, body_en=b_en)


@transaction.atomic
def submission_decide(*, submission: Submission, outcome: str, user, now: datetime | None = None) -> Decision:
    """Record (or change) the decision. Nothing is sent until the organizer releases the decisions."""
    require_organizer(user, submission.call.forum, _("Only the organizers may decide on submissions."))
    if outcome not in Outcome.values:
        raise DomainError(_("Choose accept, reject or waiting list."), field="outcome", code="bad_outcome")
    submission = Submission.objects.select_for_update(of=("self",)).select_related("call").get(pk=submission.pk)
    if submission.status not in (*DECIDABLE, Submission.Status.WAITLISTED):
        raise DomainError(_("Only submitted papers can be decided on."), field="outcome", code="not_decidable")
    if submission.status in DECIDABLE and unconfirmed_at_deadline(submission, now or timezone.now()):
        raise DomainError(_("A co-author had not confirmed when the call closed: this submission is refused."),
                          field="coauthors", code="coauthor_unconfirmed")
    decision = Decision.objects.filter(submission=submission).first()
    # A sent decision stands, except a place on the waiting list: that paper may still be accepted or not,
    # and the new decision waits for the next release like any other.
    if decision is not None and decision.released_at is not None and (
            decision.outcome != Outcome.WAITLIST or outcome == Outcome.WAITLIST):
        raise DomainError(_("This decision was already sent."), field="outcome", code="released")
    decision, _created = Decision.objects.update_or_create(
        submission=submission,
        defaults={"outcome": outcome, "decided_by": user, "decided_at": now or timezone.now(), "released_at": None,
                  "released_by": None},
    )
    return decision


def _render(template: DecisionTemplate, submission: Submission, lang: str, person=None) -> tuple[str, str]:
    """The subject and text in `lang`, addressed to `person` (the submitter or a co-author)."""
    person, forum = person or submission.submitter, submission.call.forum
    theme = submission.theme
    confirm = submission.confirm_by.astimezone(forum.tzinfo) if submission.confirm_by else None
    link_ar, link_en = site_links("calls:portal", forum_slug=forum.slug)
    if lang == "ar":
        values = {"name": person.salutation_ar, "title": submission.title_ar or submission.title_en,
                  "theme": theme.name_ar if theme else "", "link": link_ar,
                  "confirm_by": f"{fmt.dual_date(confirm.date(), 'ar')} {confirm:%H:%M}" if confirm else ""}
        return template.subject_ar.format(**values), template.body_ar.format(**values)
    values = {"name": person.salutation_en, "title": submission.title_en or submission.title_ar,
              "theme": (theme.name_en or theme.name_ar) if theme else "", "link": link_en,
              "confirm_by": f"{fmt.dual_date(confirm.date(), 'en')} {confirm:%H:%M}" if confirm else ""}
    fallback = template_for(submission.call, template.outcome, {})
    return ((template.subject_en or fallback.subject_en).format(**values),
            (template.body_en or fallback.body_en).format(**values))


@transaction.atomic
def decisions_release(*, call: Call, user, now: datetime | None = None) -> int:
    """Send every decision not sent yet, in one go. Accepted authors must confirm by the call's date."""
    require_organizer(user, call.forum, _("Only the organizers may release decisions."))
    now = now or timezone.now()
    pending = list(Decision.objects.select_for_update(of=("self",)).filter(submission__call=call, released_at__isnull=True)
                   .select_related("submission__submitter", "submission__theme", "submission__paper",
                                   "submission__call__forum")
                   .prefetch_related(Prefetch("submission__coauthors",
                                              queryset=CoAuthor.objects.filter(confirmed_at__isnull=False),
                                              to_attr="confirmed_coauthors")))
    if any(d.outcome == Outcome.ACCEPT for d in pending) and (call.confirm_by is None or call.confirm_by <= now):
        raise DomainError(_("Set a future date by which accepted authors confirm, then release."),
                          field="confirm_by", code="confirm_by_required")
    templates = {t.outcome: t for t in DecisionTemplate.objects.filter(call=call)}
    for decision in pending:
        sub = decision.submission
        sub.status = decision.outcome
        sub.confirm_by = call.confirm_by if decision.outcome == Outcome.ACCEPT else None
        sub.save(update_fields=["status", "confirm_by"])
        if decision.outcome == Outcome.REJECT and sub.paper_id:
            intake.paper_call_outcome(paper=sub.paper, status=WorkingPaper.Status.REJECTED, decided_by=user)
        template = template_for(call, decision.outcome, templates)
        for person in _recipients(sub):
            subject_ar, body_ar = _render(template, sub, "ar", person)
            subject_en, body_en = _render(template, sub, "en", person)
            message_enqueue(
                to=person.email, subject=f"{subject_ar} | {subject_en}", text_body=bilingual(body_ar, body_en),
                language="ar", kind=f"calls.decision.{decision.outcome}", related=sub, forum=call.forum,
            )
    Decision.objects.filter(pk__in=[d.pk for d in pending]).update(released_at=now, released_by=user)
    return len(pending)


def _recipients(submission: Submission) -> list:
    """Who hears of the decision: the submitter and each confirmed co-author, each once by address,
    each addressed by their own honorific and name."""
    seen: set[str] = set()
    people = []
    coauthors = getattr(submission, "confirmed_coauthors", None)
    if coauthors is None:
        coauthors = list(submission.coauthors.filter(confirmed_at__isnull=False))
    for person in (submission.submitter, *coauthors):
        address = (person.email or "").strip().lower()
        if not address or address in seen:
            continue
        seen.add(address)
        people.append(person)
    return people


def _speakers_for(submission: Submission) -> list[Person]:
    """The submitter and the confirmed co-authors, as people of the directory (found by e-mail or added)."""
    people = [submission.submitter]
    for c in submission.coauthors.filter(confirmed_at__isnull=False):
        person = Person.objects.filter(email__iexact=c.email).first()
        if person is None:
            person = Person.objects.create(
                email=c.email, full_name_ar=c.full_name_ar, full_name_en=c.full_name_en, honorific=c.honorific,
                academic_title=c.academic_title, position_ar=c.position, created_by_forum=submission.call.forum,
            )
        people.append(person)
    return people


@transaction.atomic
def submission_confirm(*, submission: Submission, person: Person, now: datetime | None = None) -> Submission:
    """The accepted author confirms attendance; the paper becomes an accepted working paper with its speakers."""
    now = now or timezone.now()
    submission = Submission.objects.select_for_update(of=("self",)).select_related("call__forum", "paper").get(pk=submission.pk)
    if submission.submitter_id != person.pk:
        raise NotFound(_("No such submission."))
    if submission.status == Submission.Status.CONFIRMED:
        return submission
    if submission.status != Submission.Status.ACCEPTED:
        raise DomainError(_("Only an accepted paper can be confirmed."), code="not_accepted")
    if submission.confirm_by is not None and now > submission.confirm_by:
        raise DomainError(_("The date to confirm has passed; ask the organizers."), code="expired")
    submission.status = Submission.Status.CONFIRMED
    submission.confirmed_at = now
    submission.save(update_fields=["status", "confirmed_at"])
    intake.paper_call_outcome(paper=submission.paper, status=WorkingPaper.Status.ACCEPTED,
                              speakers=_speakers_for(submission))
    return submission


@transaction.atomic
def acceptances_expire(*, now: datetime | None = None, call: Call | None = None) -> int:
    """Accepted submissions not confirmed in time expire (a beat task runs this)."""
    now = now or timezone.now()
    qs = Submission.objects.filter(status=Submission.Status.ACCEPTED, confirm_by__lt=now)
    if call is not None:
        qs = qs.filter(call=call)
    return qs.update(status=Submission.Status.EXPIRED)


@transaction.atomic
def submission_place(*, submission: Submission, session: Session, user) -> SessionItem:
    """Put a confirmed paper into a session of the forum, as an item at the end of its run."""
    submission = Submission.objects.select_for_update(of=("self",)).select_related("call__forum").get(pk=submission.pk)
    forum = submission.call.forum
    require_organizer(user, forum, _("Only the organizers may build the agenda."))
    if session.forum_id != forum.pk:
        raise DomainError(_("This session belongs to another forum."), field="session", code="other_forum")
    if submission.status != Submission.Status.CONFIRMED or submission.paper_id is None:
        raise DomainError(_("Only a confirmed paper can be placed in a session."), field="submission",
                          code="not_confirmed")
    paper = WorkingPaper.objects.select_for_update().get(pk=submission.paper_id)
    if paper.session_item_id is not None:
        raise DomainError(_("This paper already has a place in the agenda."), field="session", code="placed")
    return intake.paper_place(paper=paper, session=session)
