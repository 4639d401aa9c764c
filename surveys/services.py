"""Writes of the surveys: set-up, invitations and reminders, responses.

Invitations go out by themselves (`surveys_send_due`, every few minutes from
Celery beat or `manage.py surveys_send_due`): a session's survey once the
session has ended, the forum's once its last day is over, to the people
recorded as attending (session attendance, or admission at the forum's door).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from forum.errors import DomainError, NotFound
from forum.formatting import search_normalize
from forum.mailing.rendering import render_for
from forum.mailing.services import message_build, messages_schedule_batch, messages_store, suppressed_addresses
from forum.models import Forum, honorific_name
from registration.badges.models import Admission
from registration.models import Registration
from sessions.models import Session

from .models import Question, Survey, SurveyAnswer, SurveyInvitation, SurveyResponse

INVITATION_KIND = "survey_invitation"
REMINDER_KIND = "survey_reminder"
MAX_TEXT = 4000


class SurveyClosed(DomainError):
    status_code = 410
    default_code = "survey_closed"


class LinkUsed(DomainError):
    status_code = 409
    default_code = "link_used"


# ---- Set-up ---------------------------------------------------------------------------------------


@transaction.atomic
def survey_create(
    *, forum: Forum, title_ar: str, title_en: str = "", session: Session | None = None, intro_ar: str = "",
    intro_en: str = "", is_anonymous: bool = True, reminder_after_days: int = 3, closes_at=None,
) -> Survey:
    errors = {}
    if not (title_ar or "").strip():
        errors["title_ar"] = [_("Give the survey an Arabic title.")]
    if session is not None and session.forum_id != forum.pk:
        errors["session"] = [_("This session belongs to another forum.")]
    if not 0 <= int(reminder_after_days) <= 60:
        errors["reminder_after_days"] = [_("Between 0 (no reminder) and 60 days.")]
    if errors:
        raise DomainError(errors=errors, code="invalid")
    duplicate = Survey.objects.filter(forum=forum, session=session) if session else Survey.objects.filter(
        forum=forum, session__isnull=True)
    if duplicate.exists():
        raise DomainError(_("This session already has a survey.") if session else
                          _("This forum already has a forum-wide survey."), field="session", code="duplicate")
    return Survey.objects.create(
        forum=forum, session=session, title_ar=title_ar.strip(), title_en=(title_en or "").strip(),
        intro_ar=intro_ar, intro_en=intro_en, is_anonymous=is_anonymous,
        reminder_after_days=reminder_after_days, closes_at=closes_at,
    )


def _choices_clean(kind: str, choices) -> list[dict]:
    if kind not in Question.CHOICE_KINDS:
        return []
    cleaned = []
    for choice in choices or []:
        if isinstance(choice, str):
            choice = {"ar": choice}
        if not isinstance(choice, dict):
            raise DomainError(_("Each choice is a text, or an Arabic and an English text."), field="choices")
        ar, en = str(choice.get("ar", "")).strip(), str(choice.get("en", "")).strip()
        if ar:
            cleaned.append({"ar": ar[:200], "en": en[:200]})
    if len(cleaned) < 2:
        raise DomainError(_("A choice question needs at least two choices, each with an Arabic text."),
                          field="choices", code="too_few_choices")
    return cleaned


@transaction.atomic
def question_add(
    *, survey: Survey, text_ar: str, kind: str = Question.Kind.RATING, text_en: str = "", required: bool = True,
    choices=None,
    order: int | None = None,
) -> Question:
    if kind not in Question.Kind.values:
        raise DomainError(_("Unknown question type."), field="kind", code="bad_kind")
    if not (text_ar or "").strip():
        raise DomainError(_("Write the question in Arabic."), field="text_ar")
    if survey.status == Survey.Status.CLOSED:
        raise DomainError(_("This survey is closed."), field="survey", code="survey_closed")
    if order is None:
        last = survey.questions.order_by("-order").values_list("order", flat=True).first()
        order = (last or 0) + 1
    return Question.objects.create(
        survey=survey, kind=kind, text_ar=text_ar.strip()[:500], text_en=(text_en or "").strip()[:500],
        required=required, choices=_choices_clean(kind, choices), order=order,
    )


@transaction.atomic
def questions_copy(*, survey: Survey, source: Survey) -> list[Question]:
    """Copy a survey's questions (an earlier forum's, or another session's) after this survey's own."""
    if source.pk == survey.pk:
        raise DomainError(_("Choose another survey to copy from."), field="source", code="same_survey")
    last = survey.questions.order_by("-order").values_list("order", flat=True).first() or 0
    copies = [
        Question(survey=survey, kind=q.kind, text_ar=q.text_ar, text_en=q.text_en, required=q.required,
                 choices=q.choices, order=last + n)
        for n, q in enumerate(source.questions.order_by("order", "id"), start=1)
    ]
    if not copies:
        raise DomainError(_("That survey has no questions."), field="source", code="empty_source")
    return Question.objects.bulk_create(copies)


@transaction.atomic
def survey_status_set(*, survey: Survey, status: str) -> Survey:
    if status not in Survey.Status.values:
        raise DomainError(_("Unknown status."), field="status")
    if status == Survey.Status.OPEN and not survey.questions.exists():
        raise DomainError(_("Add at least one question before opening the survey."), field="status",
                          code="no_questions")
    survey.status = status
    survey.save(update_fields=["status"])
    return survey


# ---- Invitations and reminders ----------------------------------------------------------------------


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def survey_url(token: str, language: str = "ar") -> str:
    with translation.override(language):
        return _absolute(reverse("surveys:answer", args=[token]))


def _message(invitation: SurveyInvitation, survey: Survey, template: str, kind: str):
    def localize(language: str) -> dict:
        return {"title": survey.title, "url": survey_url(invitation.token, language),
                "forum_title": survey.forum.title,
                "name": _invitee_name(invitation, language),
                "session_title": survey.session.title if survey.session_id else ""}

    rendered = render_for(f"surveys/email/{template}", {"survey": survey}, invitation.language, localize)
    return message_build(to=invitation.email, subject=rendered.subject, text_body=rendered.text,
                         html_body=rendered.html, language=invitation.language, kind=kind, related=invitation,
                         forum=survey.forum, bulk=True)


def _invitee_name(invitation: SurveyInvitation, language: str) -> str:
    registration = invitation.registration
    if registration is None:
        return invitation.name
    return honorific_name(registration.honorific, registration.full_name_ar, registration.full_name_en, language)


def survey_due_at(survey: Survey) -> datetime:
    """When the invitations go out: the session's end, or midnight after the forum's last day (forum's time)."""
    if survey.session_id:
        return survey.session.ends_at
    return datetime.combine(survey.forum.last_day + timedelta(days=1), time(0), tzinfo=survey.forum.tzinfo)


def survey_invitees(survey: Survey):
    """Confirmed registrations recorded as attending: the session's attendance, or the forum's door."""
    qs = Registration.objects.filter(forum_id=survey.forum_id, status=Registration.Status.CONFIRMED)
    if survey.session_id:
        qs = qs.filter(session_attendance__session_id=survey.session_id)
    else:
        qs = qs.filter(Exists(Admission.objects.filter(registration=OuterRef("pk"))))
    return qs.distinct().order_by("id")


@transaction.atomic
def invitations_send(*, survey: Survey, now=None) -> int:
    """Invite every attendee not invited yet; one personal link and one e-mail each. Returns how many."""
    survey = Survey.objects.select_for_update(of=("self",)).select_related("forum", "session").get(pk=survey.pk)
    if survey.status != Survey.Status.OPEN:
        raise DomainError(_("Open the survey before inviting."), field="status", code="not_open")
    now = now or timezone.now()
    invited = set(survey.invitations.values_list("email", flat=True))
    skip = suppressed_addresses(forum_id=survey.forum_id, bulk=True)
    created, messages = [], []
    for registration in survey_invitees(survey).iterator(chunk_size=500):
        email = registration.email.lower()
        if email in invited:
            continue
        invited.add(email)
        created.append(SurveyInvitation(
            survey=survey, registration=registration, email=email, language=registration.language,
            name=honorific_name(registration.honorific, registration.full_name_ar, registration.full_name_en,
                                registration.language)))
    SurveyInvitation.objects.bulk_create(created)
    for invitation in created:
        invitation.survey = survey
        if invitation.email not in skip:
            messages.append(_message(invitation, survey, "invitation", INVITATION_KIND))
    messages_schedule_batch(messages_store(messages), per_second=settings.OUTBOX_BULK_PER_SECOND)
    survey.invitations_sent_at = now
    survey.save(update_fields=["invitations_sent_at"])
    return len(created)


@transaction.atomic
def reminders_send(*, survey: Survey, now=None) -> int:
    """A reminder, once, to invitees who have not answered after `reminder_after_days`."""
    now = now or timezone.now()
    if not survey.reminder_after_days or survey.status != Survey.Status.OPEN or (
            survey.closes_at and survey.closes_at <= now):
        return 0
    due = list(
        survey.invitations.select_for_update(skip_locked=True, of=("self",))
        .filter(responded_at__isnull=True, reminded_at__isnull=True,
                created_at__lte=now - timedelta(days=survey.reminder_after_days))
        .select_related("registration")
    )
    skip = suppressed_addresses(forum_id=survey.forum_id, bulk=True)
    messages = [_message(i, survey, "reminder", REMINDER_KIND) for i in due if i.email not in skip]
    SurveyInvitation.objects.filter(pk__in=[i.pk for i in due]).update(reminded_at=now)
    messages_schedule_batch(messages_store(messages), per_second=settings.OUTBOX_BULK_PER_SECOND)
    return len(messages)


def surveys_send_due(*, now=None) -> dict[str, int]:
    """The periodic job: invitations for surveys whose session or forum has ended, then reminders."""
    now = now or timezone.now()
    invited = reminded = 0
    for survey in Survey.objects.filter(status=Survey.Status.OPEN).select_related("forum", "session"):
        if survey.invitations_sent_at is None and survey_due_at(survey) <= now:
            invited += invitations_send(survey=survey, now=now)
        elif survey.invitations_sent_at is not None:
            reminded += reminders_send(survey=survey, now=now)
    return {"invited": invited, "reminded": reminded}


# ---- Responses --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CleanAnswer:
    question: Question
    number: int | None = None
    text: str = ""


def answers_clean(*, questions: list[Question], data) -> list[CleanAnswer]:
    """Form data (`q<id>` fields; `getlist` for multiple choice) to answers, or a DomainError per field."""
    errors: dict[str, list[str]] = {}
    answers: list[CleanAnswer] = []
    getlist = data.getlist if hasattr(data, "getlist") else (
        lambda k: v if isinstance(v := data.get(k), list) else ([] if v in (None, "") else [v]))
    for q in questions:
        field = f"q{q.pk}"
        values = [str(v).strip() for v in getlist(field) if str(v).strip()]
        if not values:
            if q.required:
                errors[field] = [_("This question needs an answer.")]
            continue
        if q.kind in Question.TEXT_KINDS:
            text = values[0]
            limit = 300 if q.kind == Question.Kind.SHORT_TEXT else MAX_TEXT
            if len(text) > limit:
                errors[field] = [_("At most %(n)d characters.") % {"n": limit}]
                continue
            answers.append(CleanAnswer(q, text=text))
            continue
        numbers = []
        for value in values:
            try:
                numbers.append(int(value))
            except ValueError:
                numbers = None
                break
        low, high = q.scale or (0, len(q.choices) - 1)
        if numbers is None or any(not low <= n <= high for n in numbers):
            errors[field] = [_("Choose one of the options given.")]
            continue
        if q.kind != Question.Kind.MULTIPLE and len(numbers) > 1:
            errors[field] = [_("Choose only one option.")]
            continue
        answers += [CleanAnswer(q, number=n) for n in sorted(set(numbers))]
    if errors:
        raise DomainError(errors=errors, code="invalid_answers")
    return answers


def invitation_for_token(token: str) -> SurveyInvitation:
    invitation = (SurveyInvitation.objects.select_related("survey", "survey__forum", "survey__session")
                  .filter(token=token).first())
    if invitation is None:
        raise NotFound(_("This survey link is not valid."), field="token")
    return invitation


def survey_refusal(survey: Survey, invitation: SurveyInvitation, now=None) -> DomainError | None:
    """Why this link cannot take a response now, if it cannot."""
    now = now or timezone.now()
    if survey.status != Survey.Status.OPEN or (survey.closes_at and survey.closes_at <= now):
        return SurveyClosed(_("This survey is closed; responses are no longer accepted. Thank you."),
                            field="survey")
    if invitation.responded_at is not None:
        return LinkUsed(_("This link has already been used to answer the survey; each link gives one response."),
                        field="token")
    return None


def response_submit(*, token: str, data, now=None) -> SurveyResponse:
    """One response per link: the link is marked used by a conditional UPDATE in the same transaction."""
    invitation = invitation_for_token(token)
    questions = list(invitation.survey.questions.order_by("order", "id"))
    with transaction.atomic():
        now = now or timezone.now()
        survey = Survey.objects.get(pk=invitation.survey_id)  # the state when the response arrives
        refusal = survey_refusal(survey, invitation, now)
        if refusal:
            raise refusal
        answers = answers_clean(questions=questions, data=data)
        claimed = SurveyInvitation.objects.filter(pk=invitation.pk, responded_at__isnull=True).update(
            responded_at=now)
        if not claimed:
            raise LinkUsed(_("This link has already been used to answer the survey; each link gives one "
                             "response."), field="token")
        try:
            response = SurveyResponse.objects.create(
                survey=survey, invitation=None if survey.is_anonymous else invitation)
        except IntegrityError:
            raise LinkUsed(_("This link has already been used to answer the survey; each link gives one "
                             "response."), field="token") from None
        SurveyAnswer.objects.bulk_create(
            SurveyAnswer(response=response, question=a.question, number=a.number, text=a.text,
                         text_search=search_normalize(a.text)) for a in answers)
    return response
