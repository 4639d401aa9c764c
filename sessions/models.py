"""The agenda: sessions, who takes part in them, their run of items, honorees,
and the published versions of the schedule."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from forum.models import BilingualMixin, Forum, Hall, Organization, Person, Track


class Session(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        OPENING = "opening", _("Opening ceremony")
        PAPERS = "papers", _("Paper session")
        SYMPOSIUM = "symposium", _("Open symposium / panel")
        KEYNOTE = "keynote", _("Keynote")
        WORKSHOP = "workshop", _("Workshop")
        PRESENTATIONS = "presentations", _("Presentations")
        FILM = "film", _("Film screening")
        HONORING = "honoring", _("Honoring ceremony")
        BREAK = "break", _("Break")
        PRAYER = "prayer", _("Prayer break")
        CLOSING = "closing", _("Closing")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("forum"))
    number = models.PositiveSmallIntegerField(
        _("number"), null=True, blank=True, help_text=_("“The first session” is number 1; breaks have none.")
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.PAPERS)
    title_ar = models.CharField(_("title (Arabic)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    hall = models.ForeignKey(
        Hall, verbose_name=_("hall"), null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    track = models.ForeignKey(
        Track, verbose_name=_("theme"), null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    expected_audience = models.PositiveIntegerField(_("expected audience"), null=True, blank=True)
    # Optimistic locking: every save through the services raises it, and a
    # save that names an older value is refused instead of overwriting.
    lock_version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["forum", "starts_at", "hall__order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"),
            models.UniqueConstraint(
                fields=["forum", "number"], condition=Q(number__isnull=False), name="session_unique_number_per_forum"
            ),
            models.CheckConstraint(condition=Q(number__isnull=True) | Q(number__gte=1), name="session_number_positive"),
        ]
        indexes = [models.Index(fields=["forum", "starts_at"])]

    def __str__(self) -> str:
        return self.title_ar

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class SessionRole(models.Model):
    """A person's part in a session: chair, speaker, panelist…, in order."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        CO_CHAIR = "co_chair", _("Co-chair")
        SPEAKER = "speaker", _("Speaker")
        PANELIST = "panelist", _("Panelist")
        MODERATOR = "moderator", _("Moderator")
        MASTER_OF_CEREMONIES = "mc", _("Master of ceremonies")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="roles", verbose_name=_("session"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="session_roles", verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.SPEAKER)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("session participant")
        verbose_name_plural = _("session participants")
        ordering = ["session", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person", "role"], name="session_role_unique_person_role"),
            # One chair per session; a second one is a co-chair.
            models.UniqueConstraint(fields=["session"], condition=Q(role="chair"), name="session_role_one_chair"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"


class SessionItem(BilingualMixin, models.Model):
    """One step in the run of a session: anthem, recitation, speech, paper, film…"""

    class Kind(models.TextChoices):
        ROYAL_ANTHEM = "anthem", _("Royal anthem")
        QURAN = "quran", _("Quran recitation")
        SPEECH = "speech", _("Speech")
        PAPER = "paper", _("Working paper")
        PRESENTATION = "presentation", _("Presentation")
        FILM = "film", _("Film")
        DISCUSSION = "discussion", _("Discussion")
        HONORING = "honoring", _("Honoring")
        OTHER = "other", _("Other")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="items", verbose_name=_("session"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.OTHER)
    title_ar = models.CharField(_("title (Arabic)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    presenter = models.ForeignKey(
        Person, verbose_name=_("presenter"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="session_items",
    )
    duration_minutes = models.PositiveSmallIntegerField(_("planned duration (minutes)"), null=True, blank=True)

    class Meta:
        verbose_name = _("session item")
        verbose_name_plural = _("session items")
        ordering = ["session", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__isnull=True) | Q(duration_minutes__gte=1),
                name="session_item_duration_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title_ar or self.get_kind_display()

    @property
    def title(self) -> str:
        return self.localized("title") or str(self.get_kind_display())


class Honoree(models.Model):
    """Someone honored (تكريم) at the forum: a person or a body, with what they receive."""

    class Reason(models.TextChoices):
        SPEAKER = "speaker", _("Speaker")
        CHAIR = "chair", _("Session chair")
        PANELIST = "panelist", _("Panelist")
        PATRON = "patron", _("Patron")
        SPONSOR = "sponsor", _("Sponsor")
        PARTNER = "partner", _("Participating body")
        MAYOR = "mayor", _("Mayor")
        AWARD_WINNER = "award", _("Award winner")
        OTHER = "other", _("Other")

    class Gift(models.TextChoices):
        SHIELD = "shield", _("Shield")
        GIFT = "gift", _("Commemorative gift")
        CERTIFICATE = "certificate", _("Certificate")
        # What was given is not known (a report that says only "honored").
        UNSPECIFIED = "unspecified", _("Not stated")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="honorees", verbose_name=_("forum"))
    session = models.ForeignKey(
        Session, verbose_name=_("session"), null=True, blank=True, on_delete=models.SET_NULL, related_name="honorees"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT, related_name="honors"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="honors",
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices, default=Reason.OTHER)
    gift = models.CharField(_("given"), max_length=12, choices=Gift.choices, default=Gift.GIFT)
    presented_by = models.ForeignKey(
        Person, verbose_name=_("presented by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="honors_presented",
    )
    presented_by_organization = models.ForeignKey(
        Organization, verbose_name=_("presented by (body)"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="honors_presented",
    )
    # Several people present together; or a group named in words ("the participating bodies").
    presenters = models.ManyToManyField(
        Person, verbose_name=_("also presented by"), blank=True, related_name="honors_co_presented",
    )
    presented_by_group_ar = models.CharField(
        _("presented by (group, Arabic)"), max_length=255, blank=True,
        help_text=_("For example «الجهات المشاركة» when the participating bodies honor the patron."),
    )
    presented_by_group_en = models.CharField(_("presented by (group, English)"), max_length=255, blank=True)
    gift_item = models.ForeignKey(
        "GiftItem", verbose_name=_("gift from the inventory"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="honorees",
    )
    announcement_ar = models.TextField(
        _("words to announce (Arabic)"), blank=True,
        help_text=_("What the master of ceremonies says; left empty, the run sheet composes it."),
    )
    announcement_en = models.TextField(_("words to announce (English)"), blank=True)
    protocol_rank = models.PositiveSmallIntegerField(
        _("protocol rank (override)"), null=True, blank=True,
        help_text=_("Empty: protocol decides (ministers and excellencies first, the patron last). "
                    "A number places this honor by it instead: 10 before excellencies, 1000 after the patron."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked done by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("honoree")
        verbose_name_plural = _("honorees")
        ordering = ["forum", "order", "id"]
        constraints = [
            # Exactly one of person and organization.
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(organization__isnull=True))
                | (Q(person__isnull=True) & Q(organization__isnull=False)),
                name="honoree_person_xor_organization",
            ),
            models.UniqueConstraint(
                fields=["forum", "session", "person", "reason"],
                condition=Q(person__isnull=False),
                name="honoree_unique_person_per_moment",
            ),
            models.UniqueConstraint(
                fields=["forum", "session", "organization", "reason"],
                condition=Q(organization__isnull=False),
                name="honoree_unique_organization_per_moment",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person or self.organization)


class GiftItem(BilingualMixin, models.Model):
    """A line of the forum's gift inventory: shields, gifts or certificates to be handed over on stage."""

    class Kind(models.TextChoices):
        SHIELD = "shield", _("Shield")
        GIFT = "gift", _("Commemorative gift")
        CERTIFICATE = "certificate", _("Certificate")
        OTHER = "other", _("Other")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="gift_items", verbose_name=_("forum"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SHIELD)
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    quantity_needed = models.PositiveIntegerField(_("quantity needed"), default=0)
    quantity_prepared = models.PositiveIntegerField(_("quantity prepared"), default=0)
    needs_engraving = models.BooleanField(_("engraved"), default=True)
    engraving_ar = models.TextField(_("engraving (Arabic)"), blank=True)
    engraving_en = models.TextField(_("engraving (English)"), blank=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("gift")
        verbose_name_plural = _("gift inventory")
        ordering = ["forum", "kind", "name_ar"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "name_ar"], name="gift_item_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")

    @property
    def engraving_missing(self) -> bool:
        """Engraved items need their text in both languages before they go to the engraver."""
        return self.needs_engraving and not (self.engraving_ar.strip() and self.engraving_en.strip())

    @property
    def shortfall(self) -> int:
        return max(self.quantity_needed - self.quantity_prepared, 0)

    @property
    def is_ready(self) -> bool:
        return self.shortfall == 0 and not self.engraving_missing


class ScheduleVersion(models.Model):
    """A frozen, numbered copy of the agenda as the public sees it.

    `snapshot` is what every public page, API endpoint and export reads;
    `changelog` is computed against the previous version at publication.
    """

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="schedule_versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField()
    changelog = models.JSONField(default=list)

    class Meta:
        verbose_name = _("published schedule version")
        verbose_name_plural = _("published schedule versions")
        ordering = ["forum", "-number"]
        get_latest_by = "number"
        constraints = [
            models.UniqueConstraint(fields=["forum", "number"], name="schedule_version_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="schedule_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.forum} v{self.number}"


class Prayer(models.TextChoices):
    """The five daily prayers, in the order of the day."""

    FAJR = "fajr", _("Fajr")
    DHUHR = "dhuhr", _("Dhuhr")
    ASR = "asr", _("Asr")
    MAGHRIB = "maghrib", _("Maghrib")
    ISHA = "isha", _("Isha")


class PrayerTimeOverride(models.Model):
    """A prayer time set by hand for one forum day, replacing the computed one.

    Local mosques and the venue sometimes announce a time a few minutes off the
    astronomical calculation; the agenda follows what people will actually hear.
    """

    forum = models.ForeignKey(
        Forum, on_delete=models.CASCADE, related_name="prayer_time_overrides", verbose_name=_("forum")
    )
    day = models.DateField(_("day"))
    prayer = models.CharField(_("prayer"), max_length=8, choices=Prayer.choices)
    time = models.TimeField(_("time (venue's local time)"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("prayer time override")
        verbose_name_plural = _("prayer time overrides")
        ordering = ["forum", "day", "time"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "day", "prayer"], name="prayer_override_unique_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_prayer_display()} {self.time:%H:%M}"


class StarredSession(models.Model):
    """A session a signed-in user put on their own agenda ("my agenda"). Visitors keep stars in the browser
    instead. It sits here, beside the session, so that both readers above (the public pages and the
    calendar invites) see it; its table keeps the name it had under the public frontend."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="starred_sessions", verbose_name=_("user")
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="stars", verbose_name=_("session")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "frontend_starredsession"
        verbose_name = _("starred session")
        verbose_name_plural = _("starred sessions")
        ordering = ["user", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "session"], name="starred_session_unique_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ★ {self.session}"
