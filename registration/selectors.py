"""Reads shared by the pages, the API and the exports; query counts stay flat as data grows."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import db, spreadsheets
from forum.models import Forum

from . import payments
from .models import Answer, InviteCode, Question, Registration, RegistrationType, WaitlistEntry, amount_display


def registration_types_open(*, forum: Forum) -> QuerySet[RegistrationType]:
    return RegistrationType.objects.filter(forum=forum, is_active=True).order_by("order", "id")


def paid_types_without_payments(*, forum: Forum, types: QuerySet[RegistrationType] | None = None) -> bool:
    """True when the forum offers paid types but online payment (Stripe) is not configured."""
    if payments.payments_configured():
        return False
    types = types if types is not None else registration_types_open(forum=forum)
    return types.filter(pricing=RegistrationType.Pricing.PAID).exists()


def questions_active(*, forum: Forum) -> QuerySet[Question]:
    return Question.objects.filter(forum=forum, is_active=True).order_by("order", "id")


def registration_type_for_create(*, forum_slug: str, type_id: int) -> RegistrationType | None:
    """The type someone registers for, with its forum and `forum_has_questions`, in one query.

    None when the forum has no type with that id (or there is no such forum).
    This is the public registration's hot path: the SQL is written out (see
    forum.db) instead of compiled from a QuerySet on every request.
    """
    if not 0 < type_id < 2**63:  # no row has such a key (and the database could not even compare it)
        return None
    sql = (
        f"SELECT {db.select_columns(RegistrationType, 't')}, {db.select_columns(Forum, 'f')}, "
        f"EXISTS (SELECT 1 FROM {Question._meta.db_table} q WHERE q.forum_id = t.forum_id AND q.is_active) "
        f"FROM {RegistrationType._meta.db_table} t JOIN {Forum._meta.db_table} f ON f.id = t.forum_id "
        "WHERE f.slug = %s AND t.id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [forum_slug, type_id])
        row = cursor.fetchone()
    if row is None:
        return None
    split = db.column_count(RegistrationType)
    rtype = db.instance_from_row(RegistrationType, row[:split])
    forum = db.instance_from_row(Forum, row[split:-1])
    RegistrationType.forum.field.set_cached_value(rtype, forum)
    rtype.forum_has_questions = bool(row[-1])
    return rtype


def registrations_search(
    *, forum: Forum, q: str = "", status: str = "", registration_type: str | int = "", category: str = "",
) -> QuerySet[Registration]:
    """The organizers' list: search by name, e-mail, phone, organization or reference; filter by status and type."""
    qs = Registration.objects.filter(forum=forum).select_related("registration_type", "payment", "invite_code")
    if q:
        q = q.strip()
        qs = qs.filter(
            Q(full_name_ar__icontains=q) | Q(full_name_en__icontains=q) | Q(email__icontains=q)
            | Q(phone__icontains=q) | Q(organization_name__icontains=q) | Q(reference__iexact=q)
        )
    if status:
        qs = qs.filter(status=status)
    if registration_type:
        qs = qs.filter(registration_type_id=registration_type)
    if category:
        qs = qs.filter(registration_type__category=category)
    return qs.order_by("-created_at", "-id")


def file_questions_exist(*, forum: Forum) -> bool:
    """Whether the forum ever asked for a file (shown or not), so the list needs a files column."""
    return Question.objects.filter(forum=forum, kind=Question.Kind.FILE).exists()


def file_answers_prefetch() -> Prefetch:
    """Each registration's answers that carry a file, as `file_answers` (one query for a whole page)."""
    return Prefetch(
        "answers",
        queryset=Answer.objects.exclude(file="").select_related("question").order_by("question__order", "question_id"),
        to_attr="file_answers",
    )


def answer_with_file(*, forum: Forum, answer_id: int) -> Answer | None:
    """One answer of the forum's registrations that carries a file; None for another forum's or a fileless one."""
    if not 0 < answer_id < 2**63:
        return None
    return (
        Answer.objects.filter(pk=answer_id, registration__forum=forum)
        .exclude(file="")
        .select_related("registration", "question")
        .first()
    )


def registration_summary(*, forum: Forum) -> list[dict]:
    """Counts per type and status (no personal data: viewers may see it)."""
    rows = (
        RegistrationType.objects.filter(forum=forum)
        .annotate(
            confirmed=Count("registrations", filter=Q(registrations__status=Registration.Status.CONFIRMED)),
            pending=Count("registrations", filter=Q(registrations__status=Registration.Status.PENDING)),
            awaiting=Count("registrations", filter=Q(registrations__status=Registration.Status.AWAITING_APPROVAL)),
            waiting=Count("waitlist", filter=Q(waitlist__status=WaitlistEntry.Status.WAITING), distinct=True),
        )
        .order_by("order", "id")
    )
    return [
        {"id": t.pk, "code": t.code, "name": t.name, "capacity": t.capacity, "seats_taken": t.seats_taken,
         "confirmed": t.confirmed, "pending": t.pending, "awaiting_approval": t.awaiting, "waiting": t.waiting}
        for t in rows
    ]


EXPORT_HEADER = [
    "reference", "status", "type", "category", "honorific", "full_name_ar", "full_name_en", "email", "phone",
    "position", "organization", "language", "amount", "currency", "payment", "registered_at", "confirmed_at",
]


def answer_file_url_builder(request, forum: Forum):
    """The absolute link to the organizers' download of a file answer (the view checks who may open it)."""
    return lambda answer: request.build_absolute_uri(reverse("registration:answer_file", args=[forum.slug, answer.pk]))


def export_rows(*, forum: Forum, registrations=None, file_url=None):
    """Header and rows for CSV/XLSX exports, with one column per custom question.

    A file answer is exported as `file_url(answer)`, the organizers' download
    link (the stored name is random and says nothing), when the caller gives one.
    """
    questions = list(Question.objects.filter(forum=forum).order_by("order", "id"))
    qs = registrations if registrations is not None else registrations_search(forum=forum)
    qs = qs.select_related("registration_type", "payment").prefetch_related(
        Prefetch("answers", queryset=Answer.objects.select_related("question"))
    )
    yield EXPORT_HEADER + [q.label_ar for q in questions]
    tz = forum.tzinfo
    for r in qs.iterator(chunk_size=500):
        payment = getattr(r, "payment", None) if hasattr(r, "payment") else None
        answers = {a.question_id: a for a in r.answers.all()}
        row = [
            r.reference, r.status, r.registration_type.code, r.registration_type.category, r.honorific,
            r.full_name_ar, r.full_name_en, r.email, r.phone, r.position, r.organization_name, r.language,
            amount_display(r.amount_minor, r.currency), r.currency,
            payment.status if payment else "",
            timezone.localtime(r.created_at, tz).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(r.confirmed_at, tz).strftime("%Y-%m-%d %H:%M") if r.confirmed_at else "",
        ]
        for question in questions:
            answer = answers.get(question.pk)
            if answer is None:
                row.append("")
            elif question.kind == Question.Kind.CHOICE:
                row.append(question.choice_label(answer.value))
            elif question.kind == Question.Kind.FILE:
                if not answer.file:
                    row.append(answer.value)
                else:
                    row.append(file_url(answer) if file_url else answer.file.name)
            else:
                row.append(answer.value)
        yield [_safe_cell(v) for v in row]


_safe_cell = spreadsheets.safe_cell


export_csv = spreadsheets.export_csv


def export_xlsx(rows, *, title: str | None = None) -> bytes:
    return spreadsheets.export_xlsx(rows, title=title or _("Registrations"))


def invite_codes_rows(*, registration_type: RegistrationType | None = None, forum: Forum | None = None, batch=""):
    qs = InviteCode.objects.select_related("registration_type").order_by("created_at", "id")
    if registration_type is not None:
        qs = qs.filter(registration_type=registration_type)
    if forum is not None:
        qs = qs.filter(registration_type__forum=forum)
    if batch:
        qs = qs.filter(batch=batch)
    yield ["code", "type", "max_uses", "uses", "expires_at", "batch", "note"]
    for c in qs.iterator():
        yield [c.code, c.registration_type.code, c.max_uses, c.uses,
               c.expires_at.isoformat() if c.expires_at else "", c.batch, c.note]
