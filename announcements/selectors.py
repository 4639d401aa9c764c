"""Reads of the messages pages."""

from __future__ import annotations

from itertools import islice

from django.db.models import Count, Q

from forum.models import Forum

from . import services
from .models import Announcement, AnnouncementRecipient

PREVIEW_CHOICES = 200


def announcements_of_forum(*, forum: Forum):
    return Announcement.objects.filter(forum=forum).select_related("created_by").order_by("-created_at", "-id")


def recipients_choices(*, announcement: Announcement) -> list:
    """Who the organizer may preview the message as (the first few hundred of the segment)."""
    return list(islice(services.segment_recipients(announcement), PREVIEW_CHOICES))


def recipients_history(*, announcement: Announcement, search: str = ""):
    """Who received it and what became of each e-mail (the outbox message's status)."""
    qs = AnnouncementRecipient.objects.filter(announcement=announcement).select_related("message")
    if search:
        qs = qs.filter(Q(email__icontains=search) | Q(name__icontains=search))
    return qs.order_by("id")


def delivery_counts(*, announcement: Announcement) -> dict[str, int]:
    rows = (AnnouncementRecipient.objects.filter(announcement=announcement)
            .values_list("message__status").annotate(n=Count("id")).order_by())
    return {status or "skipped": n for status, n in rows}
