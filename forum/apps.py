from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "forum"
    verbose_name = _("Forums")

    def ready(self):
        from .api.fields import model_serializers_use_bounded_datetimes

        model_serializers_use_bounded_datetimes()
