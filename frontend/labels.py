"""Arabic for the agenda's choice labels, as a fallback catalogue.

The labels belong to sessions.models; their own app's catalogue comes first
when it has them. Listed here so the public pages never show English words
in Arabic while that catalogue is missing an entry.
"""

from django.utils.translation import gettext_noop

SESSION_KINDS = [
    gettext_noop("Opening ceremony"), gettext_noop("Paper session"), gettext_noop("Open symposium / panel"),
    gettext_noop("Keynote"), gettext_noop("Workshop"), gettext_noop("Presentations"),
    gettext_noop("Film screening"), gettext_noop("Honoring ceremony"), gettext_noop("Break"),
    gettext_noop("Prayer break"), gettext_noop("Closing"),
]
ROLES = [
    gettext_noop("Chair"), gettext_noop("Co-chair"), gettext_noop("Speaker"), gettext_noop("Panelist"),
    gettext_noop("Moderator"), gettext_noop("Master of ceremonies"),
]
ITEM_KINDS = [
    gettext_noop("Royal anthem"), gettext_noop("Quran recitation"), gettext_noop("Speech"),
    gettext_noop("Working paper"), gettext_noop("Presentation"), gettext_noop("Film"), gettext_noop("Discussion"),
    gettext_noop("Honoring"), gettext_noop("Other"),
]
HONORS = [
    gettext_noop("Session chair"), gettext_noop("Patron"), gettext_noop("Mayor"), gettext_noop("Award winner"),
    gettext_noop("Shield"), gettext_noop("Commemorative gift"), gettext_noop("Certificate"),
]
