from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "registration.badges"
    label = "badges"
    verbose_name = _("Badges and check-in")
