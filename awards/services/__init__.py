"""Every write about award programmes goes through here: pages, API, admin and tasks.

By sub-domain: setup (programmes, cycles, categories, criteria, tiers, judges),
nominations (portal sign-in, drafts, documents, submission), screening,
judging (conflicts, score sheets), visits, and results (compute, finalize,
approve, publish).
"""

from .judging import conflict_declare, score_sheets_save
from .nominations import (
    applicant_for,
    deadline_for,
    document_upload,
    extension_grant,
    missing_for_submission,
    nomination_create,
    nomination_save,
    nomination_submit,
    nomination_withdraw,
    nominee_organization_resolve,
    nominee_person_resolve,
    signin_link_send,
    signin_link_use,
)
from .results import (
    committee_ids,
    committee_rule_met,
    judge_totals,
    results_approval_withdraw,
    results_approve,
    results_compute,
    results_finalize,
    results_publish,
    results_reopen,
    winners_order_set,
)
from .screening import nomination_screen, nomination_shortlist
from .setup import (
    category_create,
    category_delete,
    category_update,
    criteria_copy,
    criterion_create,
    criterion_delete,
    criterion_update,
    cycle_create,
    cycle_delete,
    cycle_update,
    document_create,
    document_delete,
    document_update,
    judge_assign,
    judge_unassign,
    member_add,
    member_invite,
    member_remove,
    programme_create,
    programme_update,
    question_create,
    question_delete,
    question_update,
    tier_create,
    tiers_set,
)
from .visits import visit_cancel, visit_clashes, visit_photo_add, visit_report, visit_schedule

__all__ = [
    "category_delete", "cycle_delete", "document_update", "question_update",
    "category_update", "committee_ids", "committee_rule_met", "criterion_delete", "criterion_update",
    "document_delete", "judge_unassign", "member_invite", "member_remove", "programme_update", "question_delete",
    "tiers_set",
    "applicant_for", "category_create", "conflict_declare", "criteria_copy", "criterion_create", "cycle_create",
    "cycle_update", "deadline_for", "document_create", "document_upload", "extension_grant", "judge_assign",
    "judge_totals", "member_add", "missing_for_submission", "nomination_create", "nomination_save",
    "nomination_screen", "nomination_shortlist", "nomination_submit", "nomination_withdraw",
    "nominee_organization_resolve", "nominee_person_resolve", "programme_create", "question_create",
    "results_approval_withdraw", "results_approve", "results_compute", "results_finalize", "results_publish", "results_reopen",
    "score_sheets_save", "signin_link_send", "signin_link_use", "tier_create", "visit_cancel", "visit_clashes",
    "visit_photo_add", "visit_report", "visit_schedule", "winners_order_set",
]
