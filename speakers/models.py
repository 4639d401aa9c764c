"""Working papers (أوراق عمل), who presents them, and everything around them:
invitations, the uploaded versions, review, the forum's paper settings and
the proceedings book."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from forum.models import BilingualMixin, Forum, Person
from sessions.models import Session, SessionItem, SessionRole

from .storage import private_storage


class FileKind(models.TextChoices):
    """What a file really is, decided from its content (see speakers.uploads)."""

    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (DOCX)"
    PPTX = "pptx", "PowerPoint (PPTX)"


CONTENT_TYPES = {
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.PPTX: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
CONTENT_TYPES.update({kind.value: value for kind, value in list(CONTENT_TYPES.items())})

DEFAULT_ACCEPTED_KINDS = [FileKind.PDF.value, FileKind.DOCX.value, FileKind.PPTX.value]


def default_accepted_kinds() -> list[str]:
    return list(DEFAULT_ACCEPTED_KINDS)


class WorkingPaper(BilingualMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Awaiting the file")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        REVISE = "revise", _("Revision requested")
        REJECTED = "rejected", _("Rejected")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="papers", verbose_name=_("forum"))
    title_ar = models.CharField(_("title (Arabic)"), max_length=500)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    abstract_ar = models.TextField(_("abstract (Arabic)"), blank=True)
    abstract_en = models.TextField(_("abstract (English)"), blank=True)
    speakers = models.ManyToManyField(Person, related_name="papers", verbose_name=_("speakers"))
    session_item = models.OneToOneField(
        SessionItem, verbose_name=_("presented at"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="paper",
    )
    # The session the paper belongs to even before it has its slot in the run of items.
    session = models.ForeignKey(
        Session, verbose_name=_("session"), null=True, blank=True, on_delete=models.SET_NULL, related_name="papers"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    decision_comment = models.TextField(_("comments to the speaker"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Per-paper extension of the forum deadline, granted by an organizer.
    extended_until = models.DateTimeField(_("extended until"), null=True, blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("working paper")
        verbose_name_plural = _("working papers")
        ordering = ["forum", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "revise", "rejected"]) | Q(decided_at__isnull=False),
                name="paper_decision_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title_ar

    @property
    def title(self) -> str:
        return self.localized("title")


class PaperFile(models.Model):
    """One uploaded version of a paper or of its slides. Versions are never overwritten."""

    class Role(models.TextChoices):
        PAPER = "paper", _("Working paper")
        SLIDES = "slides", _("Slides")

    paper = models.ForeignKey(WorkingPaper, on_delete=models.CASCADE, related_name="files", verbose_name=_("paper"))
    role = models.CharField(_("file"), max_length=6, choices=Role.choices, default=Role.PAPER)
    version = models.PositiveIntegerField(_("version"))
    # A random name in private storage: never under MEDIA_URL, only streamed by a view that checks access.
    file = models.FileField(_("file"), storage=private_storage, upload_to="papers/", max_length=255)
    kind = models.CharField(_("kind"), max_length=5, choices=FileKind.choices)
    original_name = models.CharField(_("original name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("paper file version")
        verbose_name_plural = _("paper file versions")
        ordering = ["paper", "role", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "role", "version"], name="paper_file_unique_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="paper_file_version_positive"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="paper_file_sha256_hex"),
        ]

    def __str__(self) -> str:
        return f"{self.paper} — {self.get_role_display()} v{self.version}"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.kind]

    @property
    def download_name(self) -> str:
        return f"paper-{self.paper_id}-{self.role}-v{self.version}.{self.kind}"


class Invitation(models.Model):
    """An organizer's invitation to take a part in a session, with a personal sign-in link.

    The link carries a signed token; only its SHA-256 is stored. A new
    invitation of the same person in the same forum revokes older links.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting reply")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Withdrawn")

    ROLES = [
        (SessionRole.Role.SPEAKER, SessionRole.Role.SPEAKER.label),
        (SessionRole.Role.CHAIR, SessionRole.Role.CHAIR.label),
        (SessionRole.Role.PANELIST, SessionRole.Role.PANELIST.label),
    ]

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("forum"))
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("session")
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=10, choices=ROLES, default=SessionRole.Role.SPEAKER)
    session_role = models.ForeignKey(
        SessionRole, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    paper = models.ForeignKey(
        WorkingPaper, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("link expires at"))
    link_revoked_at = models.DateTimeField(_("link revoked at"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.TextField(_("personal message"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person", "role"], condition=Q(status="pending"),
                name="invitation_one_pending_per_part",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["accepted", "declined"]) | Q(responded_at__isnull=False),
                name="invitation_reply_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.session} ({self.get_role_display()})"


class PaperSettings(models.Model):
    """How a forum handles papers: deadline, accepted kinds, size, review and publication."""

    class Publication(models.TextChoices):
        UNPUBLISHED = "unpublished", _("Not published")
        BEFORE_SESSION = "before", _("Published now, before each session")
        AFTER_SESSION = "after", _("Published after each session ends")

    forum = models.OneToOneField(
        Forum, on_delete=models.CASCADE, related_name="paper_settings", verbose_name=_("forum")
    )
    deadline = models.DateTimeField(_("paper deadline"), null=True, blank=True)
    accepted_kinds = models.JSONField(_("accepted file kinds"), default=default_accepted_kinds)
    max_upload_mb = models.PositiveSmallIntegerField(_("size limit (MB)"), default=25)
    review_enabled = models.BooleanField(_("papers are reviewed"), default=False)
    publication = models.CharField(
        _("publication of accepted papers"), max_length=12, choices=Publication.choices,
        default=Publication.UNPUBLISHED,
    )

    class Meta:
        verbose_name = _("paper settings")
        verbose_name_plural = _("paper settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_upload_mb__gte=1) & Q(max_upload_mb__lte=200), name="paper_settings_size_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.forum)

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


class ReviewCriterion(BilingualMixin, models.Model):
    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="review_criteria", verbose_name=_("forum")
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("review criterion")
        verbose_name_plural = _("review criteria")
        ordering = ["forum", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "name_ar"], name="review_criterion_unique_name"),
            models.CheckConstraint(condition=Q(weight__gte=1), name="review_criterion_weight_positive"),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")


SCORE_MIN = 0
SCORE_MAX = 10


class ReviewAssignment(models.Model):
    """A reviewer (a user) asked to score one paper. Submitted reviews are final."""

    paper = models.ForeignKey(WorkingPaper, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("paper"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_reviews", verbose_name=_("reviewer")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("comments"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["paper", "id"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "reviewer"], name="review_one_per_reviewer"),
        ]

    def __str__(self) -> str:
        return f"{self.paper} — {self.reviewer}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class ReviewScore(models.Model):
    assignment = models.ForeignKey(ReviewAssignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(ReviewCriterion, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "criterion"], name="review_score_one_per_criterion"),
            models.CheckConstraint(
                condition=Q(score__gte=SCORE_MIN) & Q(score__lte=SCORE_MAX), name="review_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class ProfilePhoto(models.Model):
    """The thumbnail beside a person's re-encoded photo (Person.photo)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="photo_thumbnail")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="people/thumbnails/")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.person)


class ProceedingsJob(models.Model):
    """One build of the proceedings book, run in the background with visible progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Building")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="proceedings_jobs")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=private_storage, upload_to="proceedings/", blank=True, max_length=255)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    # The digits of the organizer who asked (Arabic-Indic or Western): the cover and contents use them.
    digits = models.CharField(max_length=4, choices=[("arab", "٠١٢٣"), ("latn", "0123")], default="arab")
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("proceedings build")
        verbose_name_plural = _("proceedings builds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(done__lte=F("total")), name="proceedings_done_not_over_total"),
        ]

    def __str__(self) -> str:
        return f"{self.forum} — {self.get_status_display()}"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.DONE else (int(100 * self.done / self.total) if self.total else 0)
