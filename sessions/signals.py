from django.dispatch import Signal

# Sent after the transaction that published a new ScheduleVersion commits.
# Receivers get `version` (the ScheduleVersion) and `previous` (or None).
# Calendar updates to attendees and speakers hang off this.
schedule_published = Signal()

# Hooks for the apps above sessions: sent when the builder page is drawn, with `forum`, `request` and
# `can_edit`; each receiver returns an HTML fragment (or "") shown as a panel beside the grid (e.g. the
# call for papers' "accepted, not yet scheduled" list).
builder_panels = Signal()
