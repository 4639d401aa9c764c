"""The open call for working papers: the call, its submission types, submissions with co-authors,
the themes' reviewer pools, decisions (held until released) and their e-mail templates.

Review itself is speakers' review, reused: a submitted submission gets a WorkingPaper (with its file
as version 1) and reviewers are speakers.ReviewAssignment rows on it, scored on the forum's
ReviewCriterion with the existing score sheets.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forum.models import BilingualMixin, Forum, Person, Titled, Track
from speakers.models import FileKind, WorkingPaper
from speakers.storage import private_storage


class Call(BilingualMixin, models.Model):
    forum = models.OneToOneField(Forum, on_delete=models.CASCADE, related_name="call", verbose_name=_("forum"))
    title_ar = models.CharField(_("title (Arabic)"), max_length=255, default="دعوة لتقديم أوراق العمل")
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True, default="Call for working papers")
    rules_ar = models.TextField(_("rules (Arabic)"), blank=True)
    rules_en = models.TextField(_("rules (English)"), blank=True)
    # Aware datetimes; shown and entered in the forum's time zone. Submissions close at closes_at, to the second.
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    # Blind: reviewers see neither the authors' names nor their organizations.
    blind_review = models.BooleanField(_("blind review"), default=True)
    reviewers_per_submission = models.PositiveSmallIntegerField(_("reviewers per submission"), default=2)
    # Accepted authors confirm attendance by this time, or their acceptance expires.
    confirm_by = models.DateTimeField(_("confirm attendance by"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call for papers")
        verbose_name_plural = _("calls for papers")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"),
            models.CheckConstraint(
                condition=Q(reviewers_per_submission__gte=1) & Q(reviewers_per_submission__lte=10),
                name="call_reviewers_per_submission_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.forum} — {self.title_ar}"

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def rules(self) -> str:
        return self.localized("rules")

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now < self.closes_at


class SubmissionType(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        PAPER = "paper", _("Working paper")
        POSTER = "poster", _("Poster")
        EXPERIENCE = "experience", _("Experience (success story)")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="types", verbose_name=_("call"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PAPER)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    abstract_min_words = models.PositiveIntegerField(_("abstract: fewest words"), default=0)
    abstract_max_words = models.PositiveIntegerField(_("abstract: most words"), default=300)
    full_paper_required = models.BooleanField(_("full paper required at submission"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("submission type")
        verbose_name_plural = _("submission types")
        ordering = ["call", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "name_ar"], name="submission_type_unique_name"),
            models.CheckConstraint(
                condition=Q(abstract_max_words__gte=models.F("abstract_min_words")) & Q(abstract_max_words__gte=1),
                name="submission_type_word_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")


class Submission(BilingualMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        UNDER_REVIEW = "under_review", _("Under review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Not accepted")
        WAITLISTED = "waitlisted", _("Waiting list")
        CONFIRMED = "confirmed", _("Confirmed")
        EXPIRED = "expired", _("Acceptance expired")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="submissions", verbose_name=_("call"))
    type = models.ForeignKey(SubmissionType, on_delete=models.PROTECT, related_name="submissions",
                             verbose_name=_("type"))
    theme = models.ForeignKey(Track, on_delete=models.PROTECT, null=True, blank=True, related_name="submissions",
                              verbose_name=_("theme"))
    submitter = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="submissions",
                                  verbose_name=_("submitter"))
    title_ar = models.CharField(_("title (Arabic)"), max_length=500, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    abstract_ar = models.TextField(_("abstract (Arabic)"), blank=True)
    abstract_en = models.TextField(_("abstract (English)"), blank=True)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # The optional file, checked by content (speakers.uploads) and kept under a random private name.
    file = models.FileField(_("file"), storage=private_storage, upload_to="calls/", blank=True, max_length=255)
    file_kind = models.CharField(_("file kind"), max_length=5, choices=FileKind.choices, blank=True)
    file_name = models.CharField(_("original file name"), max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    # The working paper the review runs on, made when the submission is first submitted.
    paper = models.OneToOneField(WorkingPaper, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="submission", verbose_name=_("working paper"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    confirm_by = models.DateTimeField(_("confirm attendance by"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["call", "id"]
        indexes = [models.Index(fields=["call", "status"], name="submission_call_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"]) | Q(submitted_at__isnull=False), name="submission_submitted_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False), name="submission_confirmed_has_time"
            ),
        ]

    def __str__(self) -> str:
        return self.title_ar or self.title_en or f"#{self.pk}"

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def abstract(self) -> str:
        return self.localized("abstract")


class CoAuthor(Titled):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="coauthors",
                                   verbose_name=_("submission"))
    full_name_ar = models.CharField(_("full name (Arabic)"), max_length=255)
    full_name_en = models.CharField(_("full name (English)"), max_length=255, blank=True)
    organization = models.CharField(_("organization"), max_length=255, blank=True)
    position = models.CharField(_("position"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    token_hash = models.CharField(max_length=64, blank=True, editable=False)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("co-author")
        verbose_name_plural = _("co-authors")
        ordering = ["submission", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "email"], name="coauthor_unique_email"),
        ]

    def __str__(self) -> str:
        return self.display_name_ar


class ThemeReviewer(models.Model):
    """A reviewer in a theme's pool: bulk assignment draws from it, balancing load."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="theme_reviewers")
    theme = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="call_reviewers", verbose_name=_("theme"))
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_themes",
                                 verbose_name=_("reviewer"))

    class Meta:
        verbose_name = _("theme reviewer")
        verbose_name_plural = _("theme reviewers")
        constraints = [
            models.UniqueConstraint(fields=["call", "theme", "reviewer"], name="theme_reviewer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.theme} — {self.reviewer}"


class Outcome(models.TextChoices):
    ACCEPT = "accepted", _("Accept")
    REJECT = "rejected", _("Reject")
    WAITLIST = "waitlisted", _("Waiting list")


class Decision(models.Model):
    """The committee's decision. The author learns of it only when the organizer releases it."""

    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="decision")
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")

    def __str__(self) -> str:
        return f"{self.submission} — {self.get_outcome_display()}"


class DecisionTemplate(models.Model):
    """The organizers' wording of a decision e-mail. Placeholders: {name}, {title}, {theme}, {confirm_by}, {link}."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="templates")
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices)
    subject_ar = models.CharField(_("subject (Arabic)"), max_length=255)
    subject_en = models.CharField(_("subject (English)"), max_length=255, blank=True)
    body_ar = models.TextField(_("text (Arabic)"))
    body_en = models.TextField(_("text (English)"), blank=True)

    class Meta:
        verbose_name = _("decision e-mail")
        verbose_name_plural = _("decision e-mails")
        constraints = [models.UniqueConstraint(fields=["call", "outcome"], name="decision_template_one_per_outcome")]

    def __str__(self) -> str:
        return f"{self.call} — {self.get_outcome_display()}"
