"""Reviewing papers: criteria, reviewers' assignments and scores, and the organizers' decision (the speakers are told)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import permissions as forum_permissions
from forum.errors import DomainError, NotFound, PermissionDenied
from forum.models import Forum

from .. import mail, selectors
from ..models import (
    SCORE_MAX,
    SCORE_MIN,
    ReviewAssignment,
    ReviewCriterion,
    ReviewScore,
    WorkingPaper,
)

# -- review -----------------------------------------------------------------------------------


@transaction.atomic
def criterion_create(*, forum: Forum, user, name_ar: str, name_en: str = "", weight: int = 1, order: int = 0):
    if not forum_permissions.can_edit_forum(user, forum):
        raise PermissionDenied(_("Only the organizers may define review criteria."))
    if weight < 1:
        raise DomainError(_("The weight must be at least 1."), field="weight", code="range")
    if ReviewCriterion.objects.filter(forum=forum, name_ar=name_ar).exists():
        raise DomainError(_("A criterion with this name exists."), field="name_ar", code="duplicate")
    return ReviewCriterion.objects.create(forum=forum, name_ar=name_ar, name_en=name_en, weight=weight, order=order)


@transaction.atomic
def review_assign(*, paper: WorkingPaper, reviewer, assigned_by) -> ReviewAssignment:
    """An organizer asks a user to review a paper. A speaker of the paper cannot review it."""
    if not forum_permissions.can_edit_forum(assigned_by, paper.forum):
        raise PermissionDenied(_("Only the organizers may assign reviewers."))
    if selectors.user_is_paper_speaker(reviewer, paper):
        raise DomainError(_("A speaker cannot review their own paper."), field="reviewer", code="own_paper")
    if ReviewAssignment.objects.filter(paper=paper, reviewer=reviewer).exists():
        raise DomainError(_("This reviewer is already assigned to this paper."), field="reviewer", code="duplicate")
    assignment = ReviewAssignment.objects.create(paper=paper, reviewer=reviewer, assigned_by=assigned_by)
    if reviewer.email:
        mail.review_request_mail_enqueue(assignment=assignment)
    return assignment


@transaction.atomic
def review_submit(*, assignment: ReviewAssignment, user, scores: dict[int, int], comment: str = "") -> ReviewAssignment:
    """The assigned reviewer scores every criterion (SCORE_MIN..SCORE_MAX) and comments, once."""
    assignment = ReviewAssignment.objects.select_for_update().select_related("paper__forum").get(pk=assignment.pk)
    if assignment.reviewer_id != user.pk:
        raise NotFound(_("No such review."))
    if assignment.is_submitted:
        raise DomainError(_("This review was already submitted."), code="already_submitted")
    criteria = selectors.criteria_for_forum(forum=assignment.paper.forum)
    if not criteria:
        raise DomainError(_("The organizers have not defined review criteria yet."), code="no_criteria")
    errors = {}
    clean: dict[int, int] = {}
    for c in criteria:
        raw = scores.get(c.pk, scores.get(str(c.pk)))
        try:
            value = int(raw)
        except (TypeError, ValueError):
            errors[f"score_{c.pk}"] = [_("Give a score for this criterion.")]
            continue
        if not SCORE_MIN <= value <= SCORE_MAX:
            errors[f"score_{c.pk}"] = [
                _("The score must be between %(min)s and %(max)s.") % {"min": SCORE_MIN, "max": SCORE_MAX}
            ]
            continue
        clean[c.pk] = value
    if errors:
        raise DomainError(errors=errors, code="invalid_scores")
    ReviewScore.objects.filter(assignment=assignment).delete()
    ReviewScore.objects.bulk_create(
        [ReviewScore(assignment=assignment, criterion_id=cid, score=v) for cid, v in clean.items()]
    )
    assignment.comment = comment
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["comment", "submitted_at"])
    return assignment


DECISIONS = (WorkingPaper.Status.ACCEPTED, WorkingPaper.Status.REVISE, WorkingPaper.Status.REJECTED)


@transaction.atomic
def paper_decide(*, paper: WorkingPaper, user, decision: str, comment: str = "") -> WorkingPaper:
    """Accept, ask for a revision, or reject. The speakers are told; on revise, with the comments."""
    if not forum_permissions.can_edit_forum(user, paper.forum):
        raise PermissionDenied(_("Only the organizers may decide on papers."))
    if decision not in DECISIONS:
        raise DomainError(_("Choose accept, revise or reject."), field="decision", code="bad_decision")
    if decision == WorkingPaper.Status.REVISE and not comment.strip():
        raise DomainError(_("Tell the speaker what to revise."), field="comment", code="required")
    if decision == WorkingPaper.Status.ACCEPTED and selectors.paper_current_file(paper=paper) is None:
        raise DomainError(_("A paper without a file cannot be accepted."), field="decision", code="no_file")
    paper = WorkingPaper.objects.select_for_update().get(pk=paper.pk)
    paper.status = decision
    paper.decision_comment = comment
    paper.decided_at = timezone.now()
    paper.decided_by = user
    paper.save(update_fields=["status", "decision_comment", "decided_at", "decided_by"])
    mail.decision_mail_enqueue(paper=paper, decision=decision, comment=comment)
    return paper
