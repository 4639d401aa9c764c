from django.dispatch import Signal

# Sent after the transaction that published a new ScheduleVersion commits.
# Receivers get `version` (the ScheduleVersion) and `previous` (or None).
# Calendar updates to attendees and speakers hang off this.
schedule_published = Signal()
