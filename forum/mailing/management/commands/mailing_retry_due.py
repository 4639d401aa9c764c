"""Run the outbox sweep by hand or from cron, where Celery beat does not run.

    manage.py mailing_retry_due            # once
    manage.py mailing_retry_due --every 60 # keep sweeping every minute
"""

import time

from django.core.management.base import BaseCommand

from forum.mailing.services import messages_retry_due


class Command(BaseCommand):
    help = "Send queued e-mail, retry failed e-mail whose backoff has passed, recover stuck messages."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (0: once).")

    def handle(self, *args, every: int = 0, **options):
        while True:
            tried = messages_retry_due()
            self.stdout.write(f"{tried} messages tried")
            if not every:
                return
            time.sleep(every)
