"""An owner's invitation to join a forum's team with a role, sent by e-mail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from forum.models import Forum, TeamMember


class TeamInvitation(models.Model):
    """The link carries a signed token; only its SHA-256 is stored. A new invitation of the same
    address to the same forum withdraws the pending one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting reply")
        ACCEPTED = "accepted", _("Accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="team_invitations", verbose_name=_("forum"))
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=10, choices=TeamMember.Role.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("invited by"),
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("link expires at"))
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "email"], condition=Q(status="pending"), name="team_invitation_one_pending"
            ),
            models.CheckConstraint(condition=Q(email=Lower("email")),
                                   name="team_invitation_email_lowercase"),
        ]

    def __str__(self) -> str:
        return f"{self.email} — {self.forum} ({self.get_role_display()})"
