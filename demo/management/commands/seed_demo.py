"""Load the demo forums from the seed reports (idempotent: a rerun changes nothing)."""

from django.core.management.base import BaseCommand

from demo.loader import demo_load

BASE_URL = "http://127.0.0.1:8000"


class Command(BaseCommand):
    help = "Load the Makkah and Khobar demo forums, their agendas and a demo organizer account."

    def handle(self, *args, **options):
        result = demo_load()
        for forum in result.forums:
            published = " (agenda published)" if forum in result.published else ""
            self.stdout.write(f"{forum.title_en}{published}")
            self.stdout.write(f"  {BASE_URL}/forums/{forum.slug}/")
            self.stdout.write(f"  {BASE_URL}/en/forums/{forum.slug}/")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"Admin: {BASE_URL}/admin/")
        self.stdout.write(f"  username: {result.organizer_username}")
        self.stdout.write(f"  password: {result.organizer_password}")
