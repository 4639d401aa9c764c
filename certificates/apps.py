from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    """Certificates of attendance, appreciation, participation and awards, with a verification QR.

    Layer: above registration (reads attendance from check-in and roles from sessions), below awards
    (which issues the "award" kind through services.certificate_issue).
    """

    name = "certificates"
    verbose_name = _("Certificates")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (the holder's panels on the registration page and the portal)
