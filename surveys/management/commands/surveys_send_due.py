"""Send due survey invitations and reminders where Celery beat does not run.

    manage.py surveys_send_due             # once
    manage.py surveys_send_due --every 300 # keep going every five minutes
"""

import time

from django.core.management.base import BaseCommand

from surveys.services import surveys_send_due


class Command(BaseCommand):
    help = "Invite attendees to the surveys of ended sessions and forums; remind those who have not answered."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: once).")

    def handle(self, *args, every: int = 0, **options):
        while True:
            counts = surveys_send_due()
            self.stdout.write(f"{counts['invited']} invited, {counts['reminded']} reminded")
            if not every:
                return
            time.sleep(every)
