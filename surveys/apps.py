from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Satisfaction surveys. Sits above registration: reads attendance (registration.badges),
    sessions and speakers; nothing below imports it."""

    name = "surveys"
    label = "surveys"
    verbose_name = _("Satisfaction surveys")
