from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "registration.badges"
    label = "badges"
    verbose_name = _("Badges and check-in")

    def ready(self) -> None:
        from registration import hooks

        from . import receivers

        hooks.confirmation_preparing.connect(receivers.on_confirmation_preparing, dispatch_uid="badges.issue")
        hooks.seat_released.connect(receivers.on_seat_released, dispatch_uid="badges.revoke")
        hooks.confirmation_attachment_register(position=10, name="badge PDF",
                                               provider=receivers.confirmation_badge_attachment)
