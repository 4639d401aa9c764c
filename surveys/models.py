"""Satisfaction surveys of a forum or of one session.

An invitation is a personal link that gives one response: the rule is on the
data (`SurveyResponse.invitation` is unique; an anonymous response keeps no
link to its invitation, whose `responded_at` is set in the same transaction
by a conditional UPDATE, so a second submit finds it used). Answers are one
row per value (a multiple-choice answer is one row per option chosen), so
results are GROUP BY counts whatever the number of responses.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from forum.formatting import search_normalize
from forum.models import BilingualMixin, Forum
from registration.models import Registration
from sessions.models import Session


def new_survey_token() -> str:
    return secrets.token_urlsafe(24)


class Survey(BilingualMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("forum"))
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("session"),
        help_text=_("Empty: the survey is about the whole forum."),
    )
    title_ar = models.CharField(_("title (Arabic)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    intro_ar = models.TextField(_("introduction (Arabic)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    is_anonymous = models.BooleanField(_("anonymous"), default=True,
                                       help_text=_("Responses are not linked to the person who gave them."))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    reminder_after_days = models.PositiveSmallIntegerField(
        _("reminder after (days)"), default=3, help_text=_("0: no reminder.")
    )
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    invitations_sent_at = models.DateTimeField(_("invitations sent"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["forum", "session__starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session"], condition=Q(session__isnull=False),
                                    name="survey_one_per_session"),
            models.UniqueConstraint(fields=["forum"], condition=Q(session__isnull=True),
                                    name="survey_one_forum_wide"),
            models.CheckConstraint(condition=Q(reminder_after_days__lte=60), name="survey_reminder_range"),
        ]

    def __str__(self) -> str:
        return self.title_ar

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def intro(self) -> str:
        return self.localized("intro")


class Question(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("Rating 1–5")
        NPS = "nps", _("Would you recommend it? (0–10)")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)
    TEXT_KINDS = (Kind.SHORT_TEXT, Kind.LONG_TEXT)
    SCALES = {Kind.RATING: (1, 5), Kind.NPS: (0, 10)}

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions", verbose_name=_("survey"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RATING)
    text_ar = models.CharField(_("question (Arabic)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    # [{"ar": "...", "en": "..."}, ...] for single and multiple choice; answers store the index.
    choices = models.JSONField(_("choices"), default=list, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["survey", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=["rating", "nps", "single", "multiple", "short_text",
                                                         "long_text"]), name="survey_question_kind_known"),
        ]

    def __str__(self) -> str:
        return self.text_ar

    @property
    def text(self) -> str:
        return self.localized("text")

    @property
    def scale(self) -> tuple[int, int] | None:
        return self.SCALES.get(self.kind)

    def choice_labels(self, language: str | None = None) -> list[str]:
        from django.utils.translation import get_language

        english = (language or get_language() or "ar").startswith("en")
        return [(c.get("en") or c.get("ar", "")) if english else (c.get("ar") or c.get("en", "")) for c in self.choices]


class SurveyInvitation(models.Model):
    """One invitee's personal link. It gives one response."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    registration = models.ForeignKey(Registration, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="survey_invitations")
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=300, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES, default="ar")
    token = models.CharField(max_length=64, unique=True, default=new_survey_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["survey", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "email"], name="survey_invitation_once_per_email"),
        ]
        indexes = [models.Index(fields=["survey", "responded_at"])]

    def __str__(self) -> str:
        return f"{self.email} — {self.survey}"


class SurveyResponse(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # Named surveys only: who answered. Anonymous responses keep no link to anyone.
    invitation = models.OneToOneField(SurveyInvitation, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="response")
    submitted_at = models.DateTimeField(_("submitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["survey", "submitted_at", "id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.survey}"


class SurveyAnswer(models.Model):
    """One value of one response: a score, a choice index (one row per option chosen) or a text."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    # The text folded for search (forum.formatting.search_normalize): «اسامة» finds «أسامة».
    text_search = models.TextField(blank=True, editable=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.CheckConstraint(condition=Q(number__isnull=False) | ~Q(text=""), name="survey_answer_has_value"),
            models.UniqueConstraint(fields=["response", "question", "number"], condition=Q(number__isnull=False),
                                    name="survey_answer_value_once"),
        ]
        indexes = [models.Index(fields=["question", "number"])]

    def __str__(self) -> str:
        return self.text[:40] if self.number is None else str(self.number)

    def save(self, *args, **kwargs):
        self.text_search = search_normalize(self.text)  # bulk_create in the services fills it the same way
        super().save(*args, **kwargs)
