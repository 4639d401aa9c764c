"""What the calendar side remembers: a forum's calendar settings, the secret
feed tokens, what each person was last sent for each session, and which
publications have already been announced."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CalendarSettings(models.Model):
    forum = models.OneToOneField(
        "forum.Forum", on_delete=models.CASCADE, related_name="calendar_settings", verbose_name=_("forum")
    )
    forum_event_per_day = models.BooleanField(
        _("one calendar event per forum day"), default=False,
        help_text=_("Otherwise the forum is one all-day event over all its days."),
    )
    send_updates = models.BooleanField(
        _("e-mail calendar updates when the agenda is published"), default=True,
    )

    class Meta:
        verbose_name = _("calendar settings")
        verbose_name_plural = _("calendar settings")

    def __str__(self) -> str:
        return str(self.forum)


class FeedToken(models.Model):
    """A secret that opens one personal (or the team's private) calendar feed.

    Only a SHA-256 hash of the secret is kept; the secret itself is shown once,
    when issued. Revoking keeps the row (for the record) and closes the feed.
    """

    class Scope(models.TextChoices):
        PERSONAL = "personal", _("Personal agenda")
        TEAM = "team", _("Organizers' full agenda (drafts included)")

    forum = models.ForeignKey("forum.Forum", on_delete=models.CASCADE, related_name="feed_tokens")
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices, default=Scope.PERSONAL)
    person = models.ForeignKey(
        "forum.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(user__isnull=False), name="feed_token_has_owner"
            ),
            models.CheckConstraint(
                condition=~Q(scope="team") | Q(user__isnull=False), name="feed_token_team_needs_user"
            ),
            # At most one live token per owner and scope: issuing a new one revokes the old.
            models.UniqueConstraint(
                fields=["forum", "scope", "person"],
                condition=Q(revoked_at__isnull=True, person__isnull=False),
                name="feed_token_one_live_per_person",
            ),
            models.UniqueConstraint(
                fields=["forum", "scope", "user"],
                condition=Q(revoked_at__isnull=True, person__isnull=True, user__isnull=False),
                name="feed_token_one_live_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.forum} — {self.person or self.user} ({self.get_scope_display()})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class InviteState(models.Model):
    """The last SEQUENCE sent to one recipient for one session.

    SEQUENCE must only grow (RFC 5546), whatever happens to the agenda; this
    row is the memory of it. `session_id` is a plain number because a session
    may be deleted from the agenda and still need its CANCEL.
    """

    forum = models.ForeignKey("forum.Forum", on_delete=models.CASCADE, related_name="invite_states")
    session_id = models.PositiveBigIntegerField()
    email = models.EmailField()
    person = models.ForeignKey(
        "forum.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="invite_states"
    )
    sequence = models.PositiveIntegerField(default=0)
    cancelled = models.BooleanField(default=False)
    version_number = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar invite sent")
        verbose_name_plural = _("calendar invites sent")
        constraints = [
            models.UniqueConstraint(fields=["forum", "session_id", "email"], name="invite_state_unique_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.email} — session {self.session_id} (SEQUENCE {self.sequence})"


class PublicationNotice(models.Model):
    """A published schedule version whose calendar updates were queued: never twice."""

    version = models.OneToOneField(
        "forum_sessions.ScheduleVersion", on_delete=models.CASCADE, related_name="calendar_notice"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    messages = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("calendar updates sent for a publication")
        verbose_name_plural = _("calendar updates sent for publications")

    def __str__(self) -> str:
        return str(self.version)
