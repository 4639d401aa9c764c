from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    """Excellence awards and assessment programmes.

    The top of the domain layers: it may import the core (forum, mailing), sessions,
    speakers and registration; nothing but calendars and the public frontend sits
    above it, and nothing imports it.
    """

    name = "awards"
    label = "awards"
    verbose_name = _("Excellence awards")
