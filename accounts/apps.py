"""Staff accounts without the Django admin: one sign-in page (password, e-mail link, password
reset), the landing page by role, and the forum team page where owners invite by e-mail.

Place: on the core (forum) and the outbox (forum.mailing); it imports no other app. Pages of
other apps are reached by URL name only.
"""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and teams")
