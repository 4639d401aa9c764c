"""The forum itself and the people and bodies around it."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualMixin:
    """Pick the Arabic or English variant of a field for the active language."""

    def localized(self, field: str) -> str:
        arabic = getattr(self, f"{field}_ar", "") or ""
        english = getattr(self, f"{field}_en", "") or ""
        if (get_language() or "ar").startswith("en"):
            return english or arabic
        return arabic or english


class Organization(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality (Amanah)")
        BALADIYA = "baladiya", _("Municipality (Baladiya)")
        DEPARTMENT = "department", _("Department")
        MINISTRY = "ministry", _("Ministry")
        AUTHORITY = "authority", _("Authority")
        GOVERNMENT = "government", _("Government body")
        COMPANY = "company", _("Company")
        UNIVERSITY = "university", _("University")
        COUNCIL = "council", _("Council")
        OTHER = "other", _("Other")

    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    logo = models.ImageField(_("logo"), upload_to="organizations/logos/", blank=True)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name_ar"]
        constraints = [
            models.UniqueConstraint(fields=["name_ar", "parent"], name="organization_unique_name_in_parent"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="organization_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")


class OrganizationMember(models.Model):
    """A user who may speak in the organization's name: publish forums under it and grant others.

    Granted by a superuser or by an existing member (forum.services.organization_member_grant).
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="members", verbose_name=_("organization")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_memberships",
        verbose_name=_("user"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organization member")
        verbose_name_plural = _("organization members")
        ordering = ["organization", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="organization_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.user}"


class Honorific(models.TextChoices):
    """Titles that go before a name, in the order of protocol."""

    NONE = "", _("(none)")
    HRH = "hrh", _("His Royal Highness")
    HH = "hh", _("His Highness")
    EXCELLENCY = "excellency", _("His Excellency (Ma'ali)")
    SAADA = "saada", _("His Excellency (Sa'ada)")
    ENGINEER = "engineer", _("Engineer")
    DOCTOR = "doctor", _("Doctor")
    PROFESSOR = "professor", _("Professor")
    USTADH = "ustadh", _("Mr.")
    USTADHA = "ustadha", _("Ms.")
    SHEIKH = "sheikh", _("Sheikh")


# The Arabic forms used in print, whatever the interface language.
HONORIFIC_AR = {
    "": "",
    "hrh": "صاحب السمو الملكي",
    "hh": "صاحب السمو",
    "excellency": "معالي",
    "saada": "سعادة",
    "engineer": "المهندس",
    "doctor": "الدكتور",
    "professor": "الأستاذ الدكتور",
    "ustadh": "الأستاذ",
    "ustadha": "الأستاذة",
    "sheikh": "الشيخ",
}
HONORIFIC_EN = {
    "": "",
    "hrh": "HRH",
    "hh": "HH",
    "excellency": "H.E.",
    "saada": "H.E.",
    "engineer": "Eng.",
    "doctor": "Dr.",
    "professor": "Prof.",
    "ustadh": "Mr.",
    "ustadha": "Ms.",
    "sheikh": "Sheikh",
}


def honorific_name(honorific: str, name_ar: str, name_en: str = "", language: str = "ar") -> str:
    """A name with its title before it, in the language of the text it goes into: «الدكتور أحمد» / "Dr. Ahmed"."""
    if (language or "ar").startswith("en"):
        return f"{HONORIFIC_EN.get(honorific, '')} {name_en or name_ar}".strip()
    return f"{HONORIFIC_AR.get(honorific, '')} {name_ar}".strip()


# Honorifics after which protocol letters close with «حفظه الله» rather than «المحترم».
ROYAL_HONORIFICS = frozenset({"hrh", "hh"})
FEMININE_HONORIFICS = frozenset({"ustadha"})


class Titled(models.Model):
    """Honorifics before a name, stacked as protocol does («معالي الدكتور», «سعادة المهندس»).

    One model for everyone named on a page, a badge or an e-mail: speakers (Person) and attendees
    (registration.Registration). Subclasses have full_name_ar and full_name_en.
    """

    honorific = models.CharField(_("honorific"), max_length=20, choices=Honorific.choices, blank=True, default="")
    # A second title where protocol stacks them: «معالي الدكتور».
    academic_title = models.CharField(
        _("second title"), max_length=20, choices=Honorific.choices, blank=True, default=""
    )

    class Meta:
        abstract = True

    @property
    def titles_ar(self) -> str:
        return " ".join(t for t in (HONORIFIC_AR[self.honorific], HONORIFIC_AR[self.academic_title]) if t)

    @property
    def titles_en(self) -> str:
        return " ".join(t for t in (HONORIFIC_EN[self.honorific], HONORIFIC_EN[self.academic_title]) if t)

    @property
    def display_name_ar(self) -> str:
        return f"{self.titles_ar} {self.full_name_ar}".strip()

    @property
    def display_name_en(self) -> str:
        name = self.full_name_en or self.full_name_ar
        return f"{self.titles_en} {name}".strip()

    @property
    def display_name(self) -> str:
        return self.display_name_en if (get_language() or "ar").startswith("en") else self.display_name_ar

    @property
    def salutation_ar(self) -> str:
        """How a letter opens: «معالي الدكتور … المحترم», «صاحب السمو الملكي … حفظه الله»."""
        if not self.titles_ar:
            return f"السيد/السيدة {self.full_name_ar}".strip()
        titles = {self.honorific, self.academic_title}
        if titles & ROYAL_HONORIFICS:
            closing = "حفظه الله"
        elif titles & FEMININE_HONORIFICS:
            closing = "المحترمة"
        else:
            closing = "المحترم"
        return f"{self.display_name_ar} {closing}"

    @property
    def salutation_en(self) -> str:
        if self.honorific in ROYAL_HONORIFICS:
            return f"Your {'Royal ' if self.honorific == 'hrh' else ''}Highness {self.full_name_en or self.full_name_ar}"
        return f"Dear {self.display_name_en}"

    @property
    def salutation(self) -> str:
        return self.salutation_en if (get_language() or "ar").startswith("en") else self.salutation_ar


class Person(BilingualMixin, Titled):
    full_name_ar = models.CharField(_("full name (Arabic)"), max_length=255)
    full_name_en = models.CharField(_("full name (English)"), max_length=255, blank=True)
    position_ar = models.CharField(_("position (Arabic)"), max_length=255, blank=True)
    position_en = models.CharField(_("position (English)"), max_length=255, blank=True)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="people",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    bio_ar = models.TextField(_("short bio (Arabic)"), blank=True)
    bio_en = models.TextField(_("short bio (English)"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="people/photos/", blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=settings.LANGUAGES, default="ar"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user account"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="person",
    )
    # The team that created the entry: it alone may change the e-mail (while the person takes part
    # in no forum of another team) and sees the contact data without the person's own act.
    created_by_forum = models.ForeignKey(
        "Forum", verbose_name=_("created by the team of"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="created_people",
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name_ar"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="person_unique_email"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name_ar


class Forum(BilingualMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class PrayerMethod(models.TextChoices):
        UMM_AL_QURA = "umm_al_qura", _("Umm al-Qura (Makkah)")
        MUSLIM_WORLD_LEAGUE = "muslim_world_league", _("Muslim World League")
        EGYPTIAN = "egyptian", _("Egyptian General Authority")
        KARACHI = "karachi", _("University of Islamic Sciences, Karachi")
        DUBAI = "dubai", _("Dubai")
        KUWAIT = "kuwait", _("Kuwait")
        QATAR = "qatar", _("Qatar")
        NORTH_AMERICA = "north_america", _("ISNA (North America)")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=255)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    edition = models.PositiveSmallIntegerField(_("edition"), default=1)
    organizer = models.ForeignKey(
        Organization, verbose_name=_("organizing body"), on_delete=models.PROTECT, related_name="organized_forums"
    )
    organizing_department = models.ForeignKey(
        Organization, verbose_name=_("organizing department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="departmental_forums",
    )
    patron = models.ForeignKey(
        Person, verbose_name=_("patron"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="patronized_forums",
    )
    venue_name_ar = models.CharField(_("venue (Arabic)"), max_length=255, blank=True)
    venue_name_en = models.CharField(_("venue (English)"), max_length=255, blank=True)
    venue_address_ar = models.CharField(_("venue address (Arabic)"), max_length=255, blank=True)
    venue_address_en = models.CharField(_("venue address (English)"), max_length=255, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Riyadh")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    # After its last day a forum closes registration and invitations by itself, unless reopened (e.g. a re-run).
    open_after_last_day = models.BooleanField(
        _("open after the last day"), default=False,
        help_text=_("After the last day registration and invitations close by themselves; tick this to reopen them."),
    )
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    # Shown small under the description: what the page cannot vouch for (a demo's illustrative data, a
    # spelling kept from the source); never part of the forum's own description.
    notice_ar = models.TextField(_("notice (Arabic)"), blank=True)
    notice_en = models.TextField(_("notice (English)"), blank=True)
    prayer_method = models.CharField(
        _("prayer time method"), max_length=24, choices=PrayerMethod.choices, default=PrayerMethod.UMM_AL_QURA
    )
    logo = models.ImageField(_("logo"), upload_to="forums/logos/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["-first_day"]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="forum_last_day_not_before_first"),
            models.CheckConstraint(condition=Q(edition__gte=1), name="forum_edition_positive"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="forum_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="forum_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title_ar

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.ARCHIVED)

    @property
    def days(self) -> list:
        from datetime import timedelta

        return [self.first_day + timedelta(days=n) for n in range((self.last_day - self.first_day).days + 1)]

    @property
    def tzinfo(self):
        from zoneinfo import ZoneInfo

        return ZoneInfo(self.time_zone)

    @property
    def has_ended(self) -> bool:
        """The forum's last day is over where the forum is held."""
        from django.utils import timezone

        return timezone.localdate(timezone=self.tzinfo) > self.last_day

    @property
    def is_over(self) -> bool:
        """Ended and not reopened: registration and invitations are refused, pages say it has ended."""
        return not self.open_after_last_day and self.has_ended


class Track(BilingualMixin, models.Model):
    """A theme (محور) of the forum; sessions may belong to one."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="tracks", verbose_name=_("forum"))
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    color = models.CharField(_("colour"), max_length=7, default="#1b5e20")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["forum", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "name_ar"], name="track_unique_name_per_forum"),
            models.CheckConstraint(condition=Q(color__regex=r"^#[0-9A-Fa-f]{6}$"), name="track_color_hex"),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")


class Hall(BilingualMixin, models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="halls", verbose_name=_("forum"))
    name_ar = models.CharField(_("name (Arabic)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("hall")
        verbose_name_plural = _("halls")
        ordering = ["forum", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "name_ar"], name="hall_unique_name_per_forum"),
        ]

    def __str__(self) -> str:
        return self.name_ar

    @property
    def name(self) -> str:
        return self.localized("name")


class Sponsorship(models.Model):
    """A supporting or participating body (الجهات الداعمة والمشاركة) and its tier."""

    class Kind(models.TextChoices):
        SPONSOR = "sponsor", _("Sponsor")
        PARTNER = "partner", _("Partner")
        PARTICIPANT = "participant", _("Participating body")

    class Tier(models.TextChoices):
        STRATEGIC = "strategic", _("Strategic")
        PLATINUM = "platinum", _("Platinum")
        GOLD = "gold", _("Gold")
        SILVER = "silver", _("Silver")
        BRONZE = "bronze", _("Bronze")
        SUPPORTING = "supporting", _("Supporting")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="sponsorships", verbose_name=_("forum"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="sponsorships", verbose_name=_("organization")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SPONSOR)
    tier = models.CharField(_("tier"), max_length=12, choices=Tier.choices, default=Tier.SUPPORTING)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("sponsor or partner")
        verbose_name_plural = _("sponsors and partners")
        ordering = ["forum", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "organization"], name="sponsorship_unique_per_forum"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_tier_display()})"


class TeamMember(models.Model):
    """A user's role in organizing one forum. Permissions everywhere follow it."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        EDITOR = "editor", _("Editor")
        CHECKIN = "checkin", _("Check-in staff")
        VIEWER = "viewer", _("Viewer")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="team", verbose_name=_("forum"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_roles", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("organizer team")
        ordering = ["forum", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["forum", "user"], name="team_member_unique_per_forum"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"
