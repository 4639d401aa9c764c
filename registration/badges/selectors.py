"""Reads for badges and check-in, shared by pages, the API, tasks and the benchmark."""

from __future__ import annotations

import functools

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower, TruncHour
from django.shortcuts import get_object_or_404

from forum.models import Forum
from registration.models import Registration, RegistrationType

from .models import Admission, Badge, BulkPrintJob, Checkpoint, Scan, SigningKey


def registration_for_badge_page(*, access_token: str) -> Registration:
    """The registration behind an attendee's secret link (404 for anything else)."""
    return get_object_or_404(
        Registration.objects.select_related("forum", "registration_type", "person__organization"),
        access_token=access_token,
    )


def badge_live(*, registration: Registration) -> Badge | None:
    return Badge.objects.filter(registration=registration, revoked_at__isnull=True).first()


def public_keys(*, forum: Forum) -> list[dict]:
    import base64

    return [
        {"key_id": key.key_id, "algorithm": "Ed25519", "active": key.is_active,
         "public_key": base64.urlsafe_b64encode(bytes(key.public_key)).decode().rstrip("=")}
        for key in SigningKey.objects.filter(forum=forum).order_by("key_id")
    ]


def revoked_badge_ids(*, forum: Forum) -> list[int]:
    """Badges a scanner must refuse: revoked, or whose registration is no longer confirmed."""
    refused = Q(revoked_at__isnull=False) | ~Q(registration__status=Registration.Status.CONFIRMED)
    return list(Badge.objects.filter(refused, forum=forum).order_by("pk").values_list("pk", flat=True))


def checkpoints_for_scanner(*, forum: Forum) -> QuerySet[Checkpoint]:
    return (
        Checkpoint.objects.filter(forum=forum, is_active=True).select_related("session")
        .annotate(admitted=Count("admissions")).order_by("kind", "session__starts_at", "id")
    )


def checkpoint_counters(*, forum: Forum) -> list[dict]:
    return [{"id": c.pk, "name": c.name, "kind": c.kind, "admitted": c.admitted} for c in checkpoints_for_scanner(forum=forum)]


def roster(*, forum: Forum) -> dict[str, list]:
    """Names of confirmed registrations by id, for an offline scanner to show who it admitted."""
    rows = Registration.objects.filter(forum=forum, status=Registration.Status.CONFIRMED).values_list(
        "pk", "honorific", "academic_title", "full_name_ar", "full_name_en", "registration_type__category",
        "registration_type__badge_color",
    )
    roster = {}
    for pk, honorific, second, ar, en, category, color in rows:
        # The names with their honorifics, composed by the one honorific model (an unsaved row).
        named = Registration(honorific=honorific, academic_title=second, full_name_ar=ar, full_name_en=en)
        roster[str(pk)] = [named.display_name_ar, named.display_name_en if en else "", category, color]
    return roster


def print_registrations(*, forum: Forum, filters: dict | None = None, order_by: str = "organization"):
    """Confirmed registrations to print, in print order."""
    filters = filters or {}
    qs = Registration.objects.filter(forum=forum, status=Registration.Status.CONFIRMED).select_related(
        "registration_type", "person__organization"
    )
    if filters.get("registration_type"):
        qs = qs.filter(registration_type_id=filters["registration_type"])
    if filters.get("category"):
        qs = qs.filter(registration_type__category=filters["category"])
    if filters.get("ids"):
        qs = qs.filter(pk__in=filters["ids"])
    if order_by == BulkPrintJob.Order.NAME:
        return qs.order_by("full_name_ar", Lower("full_name_en"), "pk")
    return qs.order_by("organization_name", "full_name_ar", "pk")


def attendance_summary(*, forum: Forum) -> dict:
    """Admitted (at the doors, any day) against confirmed registrations, by category and by hour."""
    confirmed = Q(status=Registration.Status.CONFIRMED)
    by_category = (
        Registration.objects.filter(forum=forum).values("registration_type__category")
        .annotate(
            registered=Count("pk", filter=confirmed, distinct=True),
            admitted=Count("pk", filter=confirmed & Q(admissions__isnull=False, admissions__session__isnull=True),
                           distinct=True),
        )
        .order_by("registration_type__category")
    )
    labels = dict(RegistrationType.Category.choices)
    categories = [
        {"category": row["registration_type__category"], "label": str(labels.get(row["registration_type__category"], "")),
         "registered": row["registered"], "admitted": row["admitted"]}
        for row in by_category
    ]
    over_time = (
        Admission.objects.filter(checkpoint__forum=forum, session__isnull=True)
        .annotate(hour=TruncHour("admitted_at", tzinfo=forum.tzinfo)).values("hour")
        .annotate(admitted=Count("pk")).order_by("hour")
    )
    sessions = (
        Checkpoint.objects.filter(forum=forum, kind=Checkpoint.Kind.SESSION).select_related("session")
        .annotate(attended=Count("admissions")).order_by("session__starts_at")
    )
    return {
        "registered": sum(c["registered"] for c in categories),
        "admitted": sum(c["admitted"] for c in categories),
        "by_category": categories,
        "over_time": [{"hour": row["hour"], "admitted": row["admitted"]} for row in over_time],
        "sessions": [{"id": c.session_id, "title": c.session.title, "attended": c.attended} for c in sessions],
        "scans": Scan.objects.filter(forum=forum).count(),
    }


def sessions_attended(*, registration: Registration):
    """The sessions a person was admitted to, in agenda order (for attendance certificates)."""
    from sessions.models import Session

    return Session.objects.filter(attendance__registration=registration).select_related("hall").order_by("starts_at")


def session_attendees(*, session) -> QuerySet[Registration]:
    """Who attended a session (admitted at its checkpoint), by name."""
    return (
        Registration.objects.filter(session_attendance__session=session)
        .select_related("registration_type").order_by("full_name_ar")
    )


# ---- The scan's context in one statement (the scan API's hot path) -----------------

# What a scan reads of the forum and the user; the other fields stay deferred (forum.db.instance_from_row),
# so a scan does not pay to convert a forum's descriptions or a user's dates it never shows.
SCAN_FORUM_FIELDS = ("id", "slug", "time_zone", "first_day", "last_day", "status", "open_after_last_day")
SCAN_USER_FIELDS = ("id", "password", "is_superuser", "username", "is_staff", "is_active")

SCAN_DESK_SQL = """
SELECT {forum}, {checkpoint}, {user}, m.role, s.session_data, k.key_id, k.public_key
FROM forum_forum f
LEFT JOIN badges_checkpoint c ON c.id = %(checkpoint)s AND c.forum_id = f.id
LEFT JOIN {user_table} u ON u.id = %(user)s
LEFT JOIN forum_teammember m ON m.forum_id = f.id AND m.user_id = u.id
LEFT JOIN {session_table} s ON s.session_key = %(session_key)s AND s.expire_date > %(now)s
LEFT JOIN badges_signingkey k ON k.forum_id = f.id
WHERE f.slug = %(forum)s
"""


@functools.cache
def _scan_desk_sql(vendor: str) -> str:
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.models import Session

    from forum import db

    user_model = get_user_model()
    quote = connection.ops.quote_name
    return SCAN_DESK_SQL.format(
        forum=db.select_columns(Forum, "f", SCAN_FORUM_FIELDS), checkpoint=db.select_columns(Checkpoint, "c"),
        user=db.select_columns(user_model, "u", SCAN_USER_FIELDS), user_table=quote(user_model._meta.db_table),
        session_table=quote(Session._meta.db_table),
    )


def scan_desk(*, forum_slug: str, checkpoint_id: int, user_id, session_key: str | None = None) -> dict | None:
    """What a scan needs before it admits, read in one written-out statement: the forum, the checkpoint
    (None unless it is the forum's), the user (None if there is no such user), the user's role in the
    forum, the forum's public keys by number (raw bytes; a forum has one or two, a row each) and, with
    `session_key`, the data of that live database session (None when it has ended or expired).
    None when there is no forum.

    The forum and the user come with only the fields a scan reads (SCAN_FORUM_FIELDS, SCAN_USER_FIELDS)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from forum import db

    user_model = get_user_model()
    params = {"checkpoint": checkpoint_id, "user": user_id, "session_key": session_key, "forum": forum_slug,
              "now": connection.ops.adapt_datetimefield_value(timezone.now())}
    with connection.cursor() as cursor:
        cursor.execute(_scan_desk_sql(connection.vendor), params)
        rows = cursor.fetchall()
    if not rows:
        return None
    row = rows[0]
    n_forum = db.column_count(Forum, SCAN_FORUM_FIELDS)
    n_checkpoint, n_user = db.column_count(Checkpoint), db.column_count(user_model, SCAN_USER_FIELDS)
    forum = db.instance_from_row(Forum, row[:n_forum], SCAN_FORUM_FIELDS)
    checkpoint_row = row[n_forum:n_forum + n_checkpoint]
    user_row = row[n_forum + n_checkpoint:n_forum + n_checkpoint + n_user]
    role, session_data = row[-4], row[-3]
    checkpoint = None
    if checkpoint_row[0] is not None:
        checkpoint = db.instance_from_row(Checkpoint, checkpoint_row)
        checkpoint.forum = forum
    user = db.instance_from_row(user_model, user_row, SCAN_USER_FIELDS) if user_row[0] is not None else None
    keys = {key_id: bytes(public) for *_rest, key_id, public in rows if key_id is not None}
    return {"forum": forum, "checkpoint": checkpoint, "user": user, "role": role, "public_keys": keys,
            "session_data": session_data}
