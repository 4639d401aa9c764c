from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationConfig(AppConfig):
    name = "registration"
    verbose_name = _("Registration")

    def ready(self):
        from django.db.models import Q

        from forum.selectors import person_link_register

        from .models import Registration

        # Registering is the person's own act.
        person_link_register(model=Registration, person_field="person", forum_path="forum", public=False,
                             own_act=Q())
        person_link_register(model=Registration, person_field="user__person", forum_path="forum", public=False,
                             own_act=Q())
