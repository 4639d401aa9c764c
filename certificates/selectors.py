"""Reads: who is eligible and why, what a verification code shows, a holder's certificates.

Every read here runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from forum.formatting import digits_for
from forum.models import Forum, Person
from registration.badges.models import Admission
from registration.models import Registration
from sessions.models import Honoree, SessionRole
from speakers.models import WorkingPaper

from .models import Certificate, CertificateSettings, code_normalize


def certificate_settings_get(*, forum: Forum) -> CertificateSettings:
    """The forum's settings (an unsaved default when the organizers have set none: reads never write)."""
    found = CertificateSettings.objects.filter(forum=forum).first()
    return found or CertificateSettings(forum=forum)


@dataclass(frozen=True)
class Eligibility:
    registration: Registration
    eligible: bool
    sessions: int
    hours: Decimal
    admitted: bool
    explanation: str
    training_hours: Decimal | None


def _hours(duration: timedelta | None) -> Decimal:
    if not duration:
        return Decimal("0")
    return (Decimal(duration.total_seconds()) / Decimal(3600)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _number(value) -> str:
    text = f"{Decimal(value).normalize():f}" if isinstance(value, Decimal) else str(value)
    return digits_for(text, "arab") if _arabic() else text


def _arabic() -> bool:
    from django.utils.translation import get_language

    return not (get_language() or "ar").startswith("en")


def registrations_with_attendance(*, forum: Forum) -> QuerySet[Registration]:
    """Confirmed registrations with `attended_sessions`, `attended_time` and `admitted` (one query)."""
    duration = ExpressionWrapper(
        F("session_attendance__session__ends_at") - F("session_attendance__session__starts_at"),
        output_field=DurationField(),
    )
    return (
        Registration.objects.filter(forum=forum, status=Registration.Status.CONFIRMED)
        .annotate(attended_sessions=Count("session_attendance", distinct=True), attended_time=Sum(duration),
                  admitted=Exists(Admission.objects.filter(registration=OuterRef("pk"))))
        .order_by("full_name_ar", "id")
    )


def eligibility_of(registration: Registration, rules: CertificateSettings) -> Eligibility:
    """Whether an attendee earns the attendance certificate, and the sentence that says why (or why not).

    `registration` comes from registrations_with_attendance (its annotations are read here).
    """
    if registration.status != Registration.Status.CONFIRMED:
        return Eligibility(registration, False, 0, Decimal(0), False,
                           _("Your registration is not confirmed."), None)
    sessions = registration.attended_sessions or 0
    hours = _hours(registration.attended_time)
    admitted = bool(registration.admitted)
    Rule = CertificateSettings.Rule
    if rules.rule == Rule.SESSIONS:
        eligible = sessions >= rules.min_sessions
        explanation = _("Attended %(n)s of the required %(m)s sessions.") % {
            "n": _number(sessions), "m": _number(rules.min_sessions)}
    elif rules.rule == Rule.HOURS:
        eligible = hours >= rules.min_hours
        explanation = _("Attended %(n)s of the required %(m)s hours.") % {
            "n": _number(hours), "m": _number(rules.min_hours)}
    else:
        eligible = admitted
        explanation = (_("Your attendance at the forum was recorded.") if admitted
                       else _("No attendance at the forum was recorded for you at check-in."))
    training = rules.training_hours if rules.training_hours else (hours or None)
    return Eligibility(registration, eligible, sessions, hours, admitted, explanation, training)


def eligibility_for_forum(*, forum: Forum) -> list[Eligibility]:
    rules = certificate_settings_get(forum=forum)
    return [eligibility_of(r, rules) for r in registrations_with_attendance(forum=forum)]


def eligibility_for_registration(*, registration: Registration) -> Eligibility:
    rules = certificate_settings_get(forum=registration.forum)
    annotated = registrations_with_attendance(forum=registration.forum).filter(pk=registration.pk).first()
    return eligibility_of(annotated or registration, rules) if annotated else Eligibility(
        registration, False, 0, Decimal(0), False, _("Your registration is not confirmed."), None)


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate a code names, with its forum and what replaced it: one query; None for unknown codes."""
    code = code_normalize(code)
    if not code:
        return None
    return (
        Certificate.objects.select_related("forum", "session", "replaced_by")
        .filter(code=code).first()
    )


def certificates_for_registration(*, registration: Registration) -> list[Certificate]:
    """The live certificates of one attendee, for their registration page (one query)."""
    return list(Certificate.objects.filter(registration=registration, revoked_at__isnull=True)
                .select_related("forum").order_by("issued_at"))


def certificates_for_person(*, person) -> list[Certificate]:
    """The live certificates of a speaker, chair or honoree, for the portal (one query)."""
    return list(Certificate.objects.filter(person=person, revoked_at__isnull=True)
                .select_related("forum", "session").order_by("-issued_at"))


def certificates_for_user(*, user) -> QuerySet[Certificate]:
    """Everything a signed-in user holds: as the person they are, or through their own registrations."""
    from django.db.models import Q

    if user is None or not user.is_authenticated:
        return Certificate.objects.none()
    return (Certificate.objects.filter(Q(person__user=user) | Q(registration__user=user))
            .select_related("forum", "session").distinct())


def certificates_for_forum(*, forum: Forum) -> QuerySet[Certificate]:
    return Certificate.objects.filter(forum=forum).select_related("session", "replaced_by")


def forum_people(*, forum: Forum) -> QuerySet:
    """The people who take part in a forum: in a session's programme, honored, registered, presenting a paper,
    or entered by its team (volunteers, the organizing committee). Certificates for a list of people are
    issued only to them."""
    person = OuterRef("pk")
    return Person.objects.filter(
        Q(created_by_forum=forum)
        | Exists(SessionRole.objects.filter(session__forum=forum, person=person))
        | Exists(Honoree.objects.filter(forum=forum, person=person))
        | Exists(Registration.objects.filter(forum=forum, person=person))
        | Exists(WorkingPaper.objects.filter(forum=forum, speakers=person))
    )


def forum_people_to_choose(*, forum: Forum, limit: int = 500) -> list:
    """The forum's people an organizer picks from on the certificates page (its registrants without another
    part are left to the pasted list: there may be thousands). One query."""
    person = OuterRef("pk")
    return list(Person.objects.filter(
        Q(created_by_forum=forum)
        | Exists(SessionRole.objects.filter(session__forum=forum, person=person))
        | Exists(Honoree.objects.filter(forum=forum, person=person))
    ).order_by("full_name_ar", "id")[:limit])


@dataclass(frozen=True)
class PeopleFound:
    ids: list[int]
    unknown: list[str]  # lines naming nobody of the forum
    ambiguous: list[str]  # names two or more of the forum's people bear


def forum_people_from_lines(*, forum: Forum, text: str, max_lines: int = 1000) -> PeopleFound:
    """The forum's people a pasted list names, one per line, by e-mail or by full name in either language
    (one query whatever the number of lines). A line holding an e-mail address is read by its address
    ("Name <name@example.org>" too)."""
    lines = []
    for raw in (text or "").splitlines()[:max_lines]:
        line = " ".join(raw.split())
        if "@" in line:
            line = next(part for part in re.split(r"[\s,;<>]+", line) if "@" in part)
        if line and line not in lines:
            lines.append(line)
    if not lines:
        return PeopleFound([], [], [])
    emails = {line.lower() for line in lines if "@" in line}
    names = [line for line in lines if "@" not in line]
    rows = list(forum_people(forum=forum).annotate(email_lower=Lower("email"))
                .filter(Q(email_lower__in=emails) | Q(full_name_ar__in=names) | Q(full_name_en__in=names))
                .values_list("pk", "email_lower", "full_name_ar", "full_name_en"))
    by_email = {email: pk for pk, email, _ar, _en in rows if email}
    by_name: dict[str, set[int]] = {}
    for pk, _email, name_ar, name_en in rows:
        for name in {name_ar, name_en} - {""}:
            by_name.setdefault(name, set()).add(pk)
    ids, unknown, ambiguous = [], [], []
    for line in lines:
        if "@" in line:
            found = {by_email[line.lower()]} if line.lower() in by_email else set()
        else:
            found = by_name.get(line, set())
        if not found:
            unknown.append(line)
        elif len(found) > 1:
            ambiguous.append(line)
        elif (pk := next(iter(found))) not in ids:
            ids.append(pk)
    return PeopleFound(ids, unknown, ambiguous)
