"""Load the demo forums from the seed reports (idempotent: a rerun changes nothing).

The seed never sends real mail: when the configured backend would deliver it (SMTP), the demo's
messages are written as files to EMAIL_FILE_PATH instead. The console says where mail goes.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from awards.demo import awards_demo_load
from demo.loader import demo_load
from forum.mailing.services import mail_destination

DELIVERING_BACKENDS = {"django.core.mail.backends.smtp.EmailBackend"}
FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


class Command(BaseCommand):
    help = "Load the Makkah and Khobar demo forums, their agendas and a demo organizer account."

    def handle(self, *args, **options):
        backend = FILE_BACKEND if settings.EMAIL_BACKEND in DELIVERING_BACKENDS else settings.EMAIL_BACKEND
        with override_settings(EMAIL_BACKEND=backend):
            result = demo_load()
            awards_demo_load(password=result.organizer_password, entered_by=result.forums[0])  # seeds 001 and 004: /awards/, judges judge1-3
            seed_mail = mail_destination()
        base_url = settings.SITE_URL
        for forum in result.forums:
            published = " (agenda published)" if forum in result.published else ""
            self.stdout.write(f"{forum.title_en}{published}")
            self.stdout.write(f"  {base_url}/forums/{forum.slug}/")
            self.stdout.write(f"  {base_url}/en/forums/{forum.slug}/")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Admin: {base_url}/admin/")
        self.stdout.write(f"  username: {result.organizer_username}")
        self.stdout.write(f"  password: {result.organizer_password}")
        self.stdout.write(f"Mail of the seed: {seed_mail}")
        self.stdout.write(f"Mail from now on: {mail_destination()}")
