"""Reads about papers, invitations and reviews shared by the pages, the API and other apps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from forum import permissions as forum_permissions
from forum.models import Forum, Person
from forum.scoring import weighted_mean
from sessions.models import Session, SessionRole

from . import intake
from .models import (
    Invitation,
    PaperFile,
    PaperSettings,
    ReviewAssignment,
    ReviewCriterion,
    ReviewScore,
    WorkingPaper,
)

CHAIR_ROLES = (SessionRole.Role.CHAIR, SessionRole.Role.CO_CHAIR, SessionRole.Role.MODERATOR)


def paper_settings_for(*, forum: Forum) -> PaperSettings:
    """The forum's settings, or the defaults (unsaved) when the organizers never changed them."""
    try:
        return forum.paper_settings
    except PaperSettings.DoesNotExist:
        return PaperSettings(forum=forum)


def _published_q(*, now: datetime) -> Q:
    public_forum = Q(forum__status__in=[Forum.Status.PUBLISHED, Forum.Status.ARCHIVED])
    before = Q(forum__paper_settings__publication=PaperSettings.Publication.BEFORE_SESSION)
    after = Q(forum__paper_settings__publication=PaperSettings.Publication.AFTER_SESSION, session__ends_at__lte=now)
    return public_forum & Q(status=WorkingPaper.Status.ACCEPTED) & (before | after)


def published_paper_ids(*, forum: Forum, now: datetime | None = None) -> set[int]:
    """Ids of the papers whose final version anyone may download now (one query).

    A paper is published when the forum is public, the paper is accepted and
    has an uploaded paper file, and the forum's publication setting allows it:
    "before" publishes at once, "after" once the paper's session has ended.
    """
    now = now or timezone.now()
    has_file = Exists(PaperFile.objects.filter(paper=OuterRef("pk"), role=PaperFile.Role.PAPER))
    return set(
        WorkingPaper.objects.filter(_published_q(now=now), has_file, forum=forum).values_list("pk", flat=True)
    )


def paper_is_published(*, paper: WorkingPaper, now: datetime | None = None) -> bool:
    return paper.pk in published_paper_ids(forum=paper.forum, now=now)


def paper_current_file(*, paper: WorkingPaper, role: str = PaperFile.Role.PAPER) -> PaperFile | None:
    return PaperFile.objects.filter(paper=paper, role=role).order_by("-version").first()


def paper_deadline(*, paper: WorkingPaper, settings: PaperSettings | None = None) -> datetime | None:
    """The moment after which this paper's speakers can no longer upload (None: no deadline)."""
    settings = settings or paper_settings_for(forum=paper.forum)
    if settings.deadline is None:
        return None
    if paper.extended_until and paper.extended_until > settings.deadline:
        return paper.extended_until
    return settings.deadline


def person_for_user(user) -> Person | None:
    if user is None or not user.is_authenticated:
        return None
    return Person.objects.filter(user=user).select_related("organization").first()


# -- who may see what ---------------------------------------------------------------------


def user_is_paper_speaker(user, paper: WorkingPaper) -> bool:
    person = person_for_user(user)
    return person is not None and paper.speakers.filter(pk=person.pk).exists()


def user_chairs_session(user, session_id: int | None) -> bool:
    person = person_for_user(user)
    if person is None or session_id is None:
        return False
    return SessionRole.objects.filter(session_id=session_id, person=person, role__in=CHAIR_ROLES).exists()


def user_reviews_paper(user, paper: WorkingPaper) -> bool:
    return bool(user and user.is_authenticated) and ReviewAssignment.objects.filter(paper=paper, reviewer=user).exists()


def user_can_read_paper_files(user, paper: WorkingPaper) -> bool:
    """Speakers of the paper, the chair of its session, its assigned reviewers and the forum's team."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return (
        forum_permissions.can_view_drafts(user, paper.forum)
        or user_is_paper_speaker(user, paper)
        or user_chairs_session(user, paper.session_id)
        or user_reviews_paper(user, paper)
    )


def user_can_upload(user, paper: WorkingPaper) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return forum_permissions.can_edit_forum(user, paper.forum) or user_is_paper_speaker(user, paper)


# -- the portal ---------------------------------------------------------------------------


def _files_prefetch() -> Prefetch:
    return Prefetch("files", queryset=PaperFile.objects.select_related("uploaded_by__person").order_by("role", "-version"))


def invitations_for_person(*, person: Person) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(person=person)
        .exclude(status=Invitation.Status.REVOKED)
        .select_related("forum", "session__hall", "paper")
        .order_by("session__starts_at", "id")
    )


def sessions_for_person(*, person: Person) -> QuerySet[Session]:
    """The sessions the person takes part in, with who else is on stage."""
    return (
        Session.objects.filter(roles__person=person)
        .distinct()
        .select_related("forum", "hall")
        .prefetch_related(Prefetch("roles", queryset=SessionRole.objects.select_related("person__organization")))
        .order_by("starts_at", "id")
    )


def papers_for_person(*, person: Person) -> QuerySet[WorkingPaper]:
    return (
        WorkingPaper.objects.filter(speakers=person)
        .select_related("forum__paper_settings", "session__hall")
        .prefetch_related(_files_prefetch())
        .order_by("session__starts_at", "id")
    )


def papers_chaired_by(*, person: Person) -> QuerySet[WorkingPaper]:
    chaired = SessionRole.objects.filter(person=person, role__in=CHAIR_ROLES).values("session_id")
    return (
        WorkingPaper.objects.filter(session_id__in=chaired)
        .select_related("forum__paper_settings", "session__hall")
        .prefetch_related("speakers__organization", _files_prefetch())
        .order_by("session__starts_at", "id")
    )


def reviews_for_reviewer(*, user) -> QuerySet[ReviewAssignment]:
    return (
        ReviewAssignment.objects.filter(reviewer=user)
        .select_related("paper__forum", "paper__session")
        .order_by("submitted_at", "paper__forum_id", "id")
    )


# -- organizers -----------------------------------------------------------------------------


@dataclass
class PartStatus:
    """One person's part in a session, as the organizers' dashboard shows it."""

    person: Person
    role: str
    invitation: Invitation | None
    paper: WorkingPaper | None
    has_paper_file: bool
    has_slides: bool
    missing: list[str] = field(default_factory=list)

    @property
    def role_label(self) -> str:
        return str(SessionRole.Role(self.role).label)


@dataclass
class SessionStatus:
    session: Session
    parts: list[PartStatus]

    @property
    def missing_count(self) -> int:
        return sum(1 for p in self.parts if p.missing)


def forum_dashboard(*, forum: Forum) -> list[SessionStatus]:
    """Per session: who was invited, who accepted, who uploaded, and what is missing (fixed query count)."""
    from django.utils.translation import gettext as _

    sessions = list(
        Session.objects.filter(forum=forum)
        .select_related("hall")
        .prefetch_related(Prefetch("roles", queryset=SessionRole.objects.select_related("person")))
        .order_by("starts_at", "id")
    )
    invitations = list(
        Invitation.objects.filter(forum=forum).exclude(status=Invitation.Status.REVOKED).select_related("person")
        .order_by("created_at", "id")
    )
    papers = list(
        WorkingPaper.objects.filter(forum=forum).select_related("session_item").prefetch_related("speakers", "files")
    )
    by_part: dict[tuple, Invitation] = {}
    for inv in invitations:
        by_part[(inv.session_id, inv.person_id, inv.role)] = inv  # latest wins
    paper_by_speaker: dict[tuple, WorkingPaper] = {}
    for paper in papers:
        for person in paper.speakers.all():
            # A paper belongs to its session, or to the session of its slot in the run of items.
            session_id = paper.session_id or (paper.session_item.session_id if paper.session_item else None)
            paper_by_speaker[(session_id, person.pk)] = paper

    result = []
    for session in sessions:
        people: dict[tuple, Person] = {}
        for role in session.roles.all():
            if role.role in (SessionRole.Role.SPEAKER, SessionRole.Role.PANELIST, *CHAIR_ROLES):
                people[(role.person_id, role.role)] = role.person
        for inv in invitations:
            if inv.session_id == session.pk:
                people.setdefault((inv.person_id, inv.role), inv.person)
        parts = []
        for (person_id, role), person in people.items():
            inv = by_part.get((session.pk, person_id, role))
            paper = paper_by_speaker.get((session.pk, person_id)) if role == SessionRole.Role.SPEAKER else None
            files = list(paper.files.all()) if paper else []
            has_paper = any(f.role == PaperFile.Role.PAPER for f in files)
            has_slides = any(f.role == PaperFile.Role.SLIDES for f in files)
            missing = []
            if inv is None:
                missing.append(_("not invited"))
            elif inv.status == Invitation.Status.PENDING:
                missing.append(_("no reply"))
            elif inv.status == Invitation.Status.DECLINED:
                missing.append(_("declined"))
            if role == SessionRole.Role.SPEAKER and (inv is None or inv.status != Invitation.Status.DECLINED):
                if not has_paper:
                    missing.append(_("paper"))
            parts.append(PartStatus(person, role, inv, paper, has_paper, has_slides, missing))
        result.append(SessionStatus(session=session, parts=parts))
    return result


def papers_for_forum(*, forum: Forum) -> QuerySet[WorkingPaper]:
    """The team's papers of the forum: those still pending in an open call are left out (speakers.intake)."""
    return (
        team_papers(forum=forum)
        .select_related("session__hall")
        .prefetch_related("speakers__organization", _files_prefetch(), "reviews")
        .order_by("session__starts_at", "session_item__order", "id")
    )


def criteria_for_forum(*, forum: Forum) -> list[ReviewCriterion]:
    return list(ReviewCriterion.objects.filter(forum=forum).order_by("order", "id"))


def weighted_score(scores: dict[int, int], criteria: list[ReviewCriterion]) -> float | None:
    """Σ(score × weight) / Σ weight over the criteria scored; None when nothing was scored."""
    mean = weighted_mean((scores[c.pk], c.weight) for c in criteria if c.pk in scores)
    return None if mean is None else round(mean, 2)


@dataclass
class ReviewRow:
    assignment: ReviewAssignment
    scores: dict[int, int]
    weighted: float | None


@dataclass
class PaperReviews:
    criteria: list[ReviewCriterion]
    rows: list[ReviewRow]

    @property
    def average(self) -> float | None:
        values = [r.weighted for r in self.rows if r.assignment.is_submitted and r.weighted is not None]
        return round(sum(values) / len(values), 2) if values else None


def paper_reviews(*, paper: WorkingPaper, for_user=None) -> PaperReviews:
    """Scores side by side. For a reviewer (for_user), others' scores only after they submitted their own."""
    criteria = criteria_for_forum(forum=paper.forum)
    assignments = list(
        ReviewAssignment.objects.filter(paper=paper)
        .select_related("reviewer")
        .prefetch_related(Prefetch("scores", queryset=ReviewScore.objects.all()))
        .order_by("id")
    )
    if for_user is not None and not forum_permissions.can_view_drafts(for_user, paper.forum):
        own = [a for a in assignments if a.reviewer_id == for_user.pk]
        if not own or not own[0].is_submitted:
            assignments = own
        else:
            assignments = [a for a in assignments if a.is_submitted or a.reviewer_id == for_user.pk]
    rows = []
    for a in assignments:
        scores = {s.criterion_id: s.score for s in a.scores.all()}
        rows.append(ReviewRow(a, scores, weighted_score(scores, criteria)))
    return PaperReviews(criteria=criteria, rows=rows)


def paper_speakers_by_session(forum: Forum) -> list[tuple[int, int]]:
    """(session_id, person_id) of every working paper's speaker in the forum, in one query (the agenda's
    conflict checks read it through sessions.conflicts.paper_speakers_reader_register)."""
    through = WorkingPaper.speakers.through
    return list(through.objects.filter(workingpaper__session_item__session__forum=forum).values_list(
        "workingpaper__session_item__session_id", "person_id"))


def team_papers(*, forum: Forum) -> QuerySet[WorkingPaper]:
    """The forum's papers the team works on: a paper from the open call joins once its author confirms."""
    return intake.without_pending(WorkingPaper.objects.filter(forum=forum))
