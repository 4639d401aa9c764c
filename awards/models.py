"""Excellence awards and assessment programmes (جوائز التميز وبرامج التقييم).

A programme, owned by an organization, runs in numbered cycles. A cycle has
categories; each category has weighted criteria (with sub-criteria and maximum
scores), required documents and its own questions. Applicants nominate
through the portal; award staff screen; judges fill score sheets; assessors
visit shortlisted entries; the committee chair finalizes, the committee
approves and the owners publish. Winners become honorees of the ceremony
session. Awards rank entries per category; assessments place them in tiers
by score thresholds.

Over 600 lines because it is one data model whose constraints are read together (programme, cycle,
category, criteria, nomination, score sheets, visits, results); the writes are split by sub-domain in
awards/services/.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from forum.models import BilingualMixin, Forum, Organization, Person
from sessions.models import Session
from speakers.models import FileKind
from speakers.storage import private_storage


def new_public_code() -> str:
    """An unguessable code for a public result page (about 120 bits)."""
    return secrets.token_urlsafe(15)


class Programme(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        AWARD = "award", _("Award (ranked winners per category)")
        ASSESSMENT = "assessment", _("Assessment (tiers by score thresholds)")

    class Aggregation(models.TextChoices):
        MEAN = "mean", _("Weighted mean of the judges")
        TRIMMED = "trimmed", _("Trimmed mean (highest and lowest judges dropped)")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.AWARD)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    owner = models.ForeignKey(
        Organization, verbose_name=_("owned by"), on_delete=models.PROTECT, related_name="award_programmes"
    )
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    rules_ar = models.TextField(_("rules (Arabic)"), blank=True)
    rules_en = models.TextField(_("rules (English)"), blank=True)
    blind_judging = models.BooleanField(
        _("blind judging"), default=False, help_text=_("Judges see neither names nor organizations of entries.")
    )
    aggregation = models.CharField(_("aggregation"), max_length=8, choices=Aggregation.choices, default=Aggregation.MEAN)
    trim = models.PositiveSmallIntegerField(
        _("judges dropped at each end"), default=1, help_text=_("For the trimmed mean.")
    )
    divergence_threshold = models.DecimalField(
        _("divergence flag (points out of 100)"), max_digits=5, decimal_places=2, default=20,
        help_text=_("Judges further apart than this on one entry are flagged."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("award programme")
        verbose_name_plural = _("award programmes")
        ordering = ["name_ar"]
        constraints = [
            models.CheckConstraint(
                condition=Q(divergence_threshold__gt=0) & Q(divergence_threshold__lte=100),
                name="programme_divergence_range",
            ),
            models.CheckConstraint(condition=Q(trim__lte=10), name="programme_trim_range"),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def description(self) -> str:
        return self.localized("description")

    @property
    def rules(self) -> str:
        return self.localized("rules")

    @property
    def is_assessment(self) -> bool:
        return self.kind == self.Kind.ASSESSMENT


class ProgrammeMember(models.Model):
    """A user's role in a programme. One user may hold several roles (a judge who also visits)."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Programme owner")
        STAFF = "staff", _("Award staff")
        JUDGE = "judge", _("Judge")
        ASSESSOR = "assessor", _("Assessor")
        COMMITTEE = "committee", _("Committee member")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="award_roles")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("programme member")
        verbose_name_plural = _("programme members")
        ordering = ["programme_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "user", "role"], name="programme_member_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class Cycle(models.Model):
    """One numbered round of a programme (الدورة الثانية) with its stated timeline."""

    class Results(models.TextChoices):
        PENDING = "pending", pgettext_lazy("results state", "Judging")
        FINALIZED = "finalized", pgettext_lazy("results state", "Finalized by the chair")
        APPROVED = "approved", pgettext_lazy("results state", "Approved by the committee")
        PUBLISHED = "published", pgettext_lazy("results state", "Published")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveSmallIntegerField(_("cycle number"))
    year_label = models.CharField(_("year label"), max_length=40, blank=True, help_text=_("e.g. 2019"))
    is_public = models.BooleanField(_("public page shown"), default=False)
    nominations_open = models.DateTimeField(_("nominations open"))
    nominations_close = models.DateTimeField(_("nominations close"))
    screening_ends = models.DateField(_("screening ends"), null=True, blank=True)
    judging_ends = models.DateField(_("judging ends"), null=True, blank=True)
    visits_end = models.DateField(_("field visits end"), null=True, blank=True)
    results_date = models.DateField(_("results announced"), null=True, blank=True)
    ceremony_date = models.DateField(_("ceremony"), null=True, blank=True)
    forum = models.ForeignKey(
        Forum, verbose_name=_("ceremony forum"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="award_cycles",
    )
    ceremony_session = models.ForeignKey(
        Session, verbose_name=_("ceremony session"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="award_cycles",
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("committee chair"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="chaired_award_cycles",
    )
    results = models.CharField(_("results"), max_length=10, choices=Results.choices, default=Results.PENDING)
    finalized_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    illustrative_note = models.CharField(
        _("note on illustrative data"), max_length=255, blank=True,
        help_text=_("Say here what in this cycle is illustrative rather than stated by the sources."),
    )

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["programme_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="cycle_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="cycle_number_positive"),
            models.CheckConstraint(
                condition=Q(nominations_close__gt=F("nominations_open")), name="cycle_close_after_open"
            ),
            models.CheckConstraint(
                condition=~Q(results__in=["approved", "published"]) | Q(approved_at__isnull=False),
                name="cycle_approved_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(results="published") | Q(published_at__isnull=False), name="cycle_published_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.number}"

    @property
    def is_published(self) -> bool:
        return self.results == self.Results.PUBLISHED


class Category(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        INSTITUTIONAL = "institutional", _("Institutional (organizations and units)")
        INDIVIDUAL = "individual", _("Individual (people)")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="categories")
    kind = models.CharField(_("kind"), max_length=13, choices=Kind.choices)
    group_ar = models.CharField(_("group (Arabic)"), max_length=255, blank=True)
    group_en = models.CharField(_("group (English)"), max_length=255, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    eligibility_ar = models.TextField(_("eligibility (Arabic)"), blank=True)
    eligibility_en = models.TextField(_("eligibility (English)"), blank=True)
    winners = models.PositiveSmallIntegerField(_("places awarded"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["cycle_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "name_ar"], name="category_unique_name_per_cycle"),
            models.CheckConstraint(condition=Q(winners__gte=1), name="category_winners_positive"),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def group(self) -> str:
        return self.localized("group")

    @property
    def eligibility(self) -> str:
        return self.localized("eligibility")


class Criterion(BilingualMixin, models.Model):
    """A weighted criterion of a category, or (with a parent) one of its sub-criteria.

    A criterion is scored through its sub-criteria when it has any, otherwise on
    its own 0..max_score. Only top-level criteria carry a weight.
    """

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children",
        verbose_name=_("sub-criterion of"),
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1)
    max_score = models.PositiveSmallIntegerField(_("maximum score"), default=10)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["category_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "parent", "name_ar"], name="criterion_unique_name"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gte=1), name="criterion_max_positive"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="criterion_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")


class RequiredDocument(BilingualMixin, models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="documents")
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("required document")
        verbose_name_plural = _("required documents")
        ordering = ["category_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "name_ar"], name="required_document_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")


class Question(BilingualMixin, models.Model):
    """A category-specific question on the application form."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="questions")
    label_ar = models.CharField(_("question (Arabic)"), max_length=500)
    label_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    max_length = models.PositiveIntegerField(_("longest answer (characters)"), default=4000)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["category_id", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(max_length__gte=1), name="award_question_max_length_positive"),
        ]

    def __str__(self) -> str:
        return self.label_ar

    @property
    def label(self) -> str:
        return self.localized("label")


class Tier(BilingualMixin, models.Model):
    """A tier of an assessment (gold, silver, bronze): entries scoring at least min_score."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="tiers")
    name_ar = models.CharField(_("name (Arabic)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    min_score = models.DecimalField(_("lowest score (out of 100)"), max_digits=5, decimal_places=2)
    honored = models.BooleanField(_("honored at the ceremony"), default=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["cycle_id", "-min_score"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "name_ar"], name="tier_unique_name"),
            models.UniqueConstraint(fields=["cycle", "min_score"], name="tier_unique_threshold"),
            models.CheckConstraint(condition=Q(min_score__gte=0) & Q(min_score__lte=100), name="tier_threshold_range"),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")


class Nomination(models.Model):
    """An entry: a person or an organization (by the category's kind), nominated by an applicant."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("nomination status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("nomination status", "Submitted")
        RETURNED = "returned", pgettext_lazy("nomination status", "Returned for completion")
        ELIGIBLE = "eligible", pgettext_lazy("nomination status", "Passed screening")
        INELIGIBLE = "ineligible", pgettext_lazy("nomination status", "Not eligible")
        SHORTLISTED = "shortlisted", pgettext_lazy("nomination status", "Shortlisted for a field visit")
        WITHDRAWN = "withdrawn", pgettext_lazy("nomination status", "Withdrawn")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="nominations")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="nominations")
    applicant = models.ForeignKey(
        Person, verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="award_applications"
    )
    nominee_person = models.ForeignKey(
        Person, verbose_name=_("nominee"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="award_nominations",
    )
    nominee_organization = models.ForeignKey(
        Organization, verbose_name=_("nominated body"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="award_nominations",
    )
    title = models.CharField(_("summary of the entry"), max_length=300, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    extended_until = models.DateTimeField(_("extended until"), null=True, blank=True)
    return_deadline = models.DateTimeField(_("complete by"), null=True, blank=True)
    screening_reason = models.TextField(_("screening reason"), blank=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["cycle_id", "category_id", "id"]
        indexes = [models.Index(fields=["cycle", "status"], name="nomination_cycle_status")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(nominee_person__isnull=False) & Q(nominee_organization__isnull=True))
                | (Q(nominee_person__isnull=True) & Q(nominee_organization__isnull=False)),
                name="nomination_person_xor_organization",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(status="withdrawn") | Q(submitted_at__isnull=False),
                name="nomination_submitted_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status="returned") | Q(return_deadline__isnull=False),
                name="nomination_returned_has_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nominee_name_ar} — {self.category}"

    @property
    def nominee_name_ar(self) -> str:
        if self.nominee_person_id:
            return self.nominee_person.display_name_ar
        return self.nominee_organization.name_ar if self.nominee_organization_id else ""

    @property
    def nominee_name(self) -> str:
        if self.nominee_person_id:
            return self.nominee_person.display_name
        return self.nominee_organization.name if self.nominee_organization_id else ""

    @property
    def reference(self) -> str:
        return f"{self.cycle_id}-{self.pk:05d}"

    @property
    def self_nominated(self) -> bool:
        return self.nominee_person_id is not None and self.nominee_person_id == self.applicant_id


class NominationDocument(models.Model):
    """One uploaded version of a required document; versions are never overwritten."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(RequiredDocument, on_delete=models.PROTECT, related_name="uploads")
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), storage=private_storage, upload_to="awards/", max_length=255)
    kind = models.CharField(_("kind"), max_length=5, choices=FileKind.choices)
    original_name = models.CharField(_("original name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("nomination document")
        verbose_name_plural = _("nomination documents")
        ordering = ["nomination_id", "document_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "document", "version"], name="nomination_document_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="nomination_document_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.version}"


class NominationEvent(models.Model):
    """The nomination's history: submitted, returned, screened, withdrawn, extended…"""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["nomination_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.nomination_id}: {self.kind}"


class JudgeAssignment(models.Model):
    """A judge on the committee of one category."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="judges")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="award_judging")

    class Meta:
        verbose_name = _("judge assignment")
        verbose_name_plural = _("judge assignments")
        ordering = ["category_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "judge"], name="judge_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.judge} — {self.category}"


class Conflict(models.Model):
    """A judge's declared conflict of interest with one entry: they never see or score it."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="conflicts")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="award_conflicts")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "judge"], name="conflict_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.judge} ✕ {self.nomination_id}"


class ScoreSheet(models.Model):
    """One judge's score for one top-level criterion of one entry, with a comment.

    `fraction` is the sheet's score over its maximum (0..1), kept so that the
    weighted totals are one SQL aggregate.
    """

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="score_sheets")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="award_score_sheets")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="sheets")
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)
    max_points = models.DecimalField(_("maximum"), max_digits=7, decimal_places=2)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        ordering = ["nomination_id", "judge_id", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "judge", "criterion"], name="score_sheet_unique"),
            models.CheckConstraint(condition=Q(points__gte=0) & Q(points__lte=F("max_points")),
                                   name="score_sheet_points_range"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="score_sheet_max_positive"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="score_sheet_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id}/{self.judge_id}/{self.criterion_id}: {self.points}"


class SubScore(models.Model):
    """The points for one sub-criterion on a sheet."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="parts")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="sub_scores")
    points = models.DecimalField(_("points"), max_digits=7, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sheet", "criterion"], name="sub_score_unique"),
            models.CheckConstraint(condition=Q(points__gte=0), name="sub_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.points}"


class FieldVisit(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("visit status", "Planned")
        REPORTED = "reported", pgettext_lazy("visit status", "Report written")
        CANCELLED = "cancelled", pgettext_lazy("visit status", "Cancelled")

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="visits")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    address = models.CharField(_("address"), max_length=500)
    assessors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="award_visits", verbose_name=_("assessors"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    report = models.TextField(_("report"), blank=True)
    score_adjustment = models.DecimalField(
        _("score adjustment (points out of 100)"), max_digits=5, decimal_places=2, default=0
    )
    adjustment_reason = models.TextField(_("reason for the adjustment"), blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("field visit")
        verbose_name_plural = _("field visits")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="visit_ends_after_start"),
            models.CheckConstraint(
                condition=Q(score_adjustment__gte=-100) & Q(score_adjustment__lte=100), name="visit_adjustment_range"
            ),
            models.CheckConstraint(
                condition=Q(score_adjustment=0) | ~Q(adjustment_reason=""), name="visit_adjustment_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nomination} @ {self.starts_at:%Y-%m-%d %H:%M}"


class VisitCheck(models.Model):
    """One line of a visit's checklist: is this criterion applied on site?"""

    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="checks")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    confirmed = models.BooleanField(_("confirmed on site"), null=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["visit_id", "criterion_id"]
        constraints = [models.UniqueConstraint(fields=["visit", "criterion"], name="visit_check_unique")]

    def __str__(self) -> str:
        return f"{self.visit_id}/{self.criterion_id}"


class VisitPhoto(models.Model):
    """A photo taken on a visit, re-encoded (only pixels kept) as speakers' photos are."""

    visit = models.ForeignKey(FieldVisit, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(storage=private_storage, upload_to="awards/visits/", max_length=255)
    thumbnail = models.ImageField(storage=private_storage, upload_to="awards/visits/", max_length=255)
    caption = models.CharField(_("caption"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["visit_id", "id"]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.caption or self.pk}"


class Result(models.Model):
    """An entry's computed result, frozen when the chair finalizes and read by the results pages."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="result_rows")
    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="result")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="results")
    judges = models.PositiveSmallIntegerField(_("judges counted"), default=0)
    judged_score = models.DecimalField(_("judges' score"), max_digits=6, decimal_places=2)
    adjustment = models.DecimalField(_("visit adjustment"), max_digits=6, decimal_places=2, default=0)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField(_("rank"))
    tied = models.BooleanField(_("tied"), default=False)
    divergent = models.BooleanField(_("judges far apart"), default=False)
    spread = models.DecimalField(_("spread between judges"), max_digits=6, decimal_places=2, default=0)
    tier = models.ForeignKey(Tier, null=True, blank=True, on_delete=models.SET_NULL, related_name="results")
    is_winner = models.BooleanField(_("winner"), default=False)
    honor_order = models.PositiveSmallIntegerField(_("order on stage"), null=True, blank=True)
    public_code = models.CharField(max_length=32, unique=True, default=new_public_code, editable=False)
    certificate_ref = models.CharField(
        _("certificate"), max_length=100, blank=True, help_text=_("Set when the award certificate is issued.")
    )

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["cycle_id", "category_id", "rank", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(rank__gte=1), name="result_rank_positive"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=100), name="result_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination} — {self.rank}"


class ResultApproval(models.Model):
    """One committee member's approval of a cycle's finalized results.

    Approvals are of the results as they stand: any change to the results
    (finalizing again, reopening, a new order on stage) deletes them.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="award_approvals")
    at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("results approval")
        verbose_name_plural = _("results approvals")
        ordering = ["cycle_id", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "user"], name="result_approval_unique")]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.user}"


class SignInLink(models.Model):
    """A one-time e-mail sign-in link for the nominations portal; only the token's hash is stored."""

    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["email", "created_at"], name="award_signin_email")]

    def __str__(self) -> str:
        return self.email
