"""What the public side keeps on the server: signed-in attendees' starred sessions ("my agenda")."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sessions.models import Session


class StarredSession(models.Model):
    """A session a signed-in user put on their own agenda. Visitors keep stars in the browser instead."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="starred_sessions", verbose_name=_("user")
    )
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="stars", verbose_name=_("session")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("starred session")
        verbose_name_plural = _("starred sessions")
        ordering = ["user", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "session"], name="starred_session_unique_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ★ {self.session}"
