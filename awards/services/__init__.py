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
    judge_totals,
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
    criteria_copy,
    criterion_create,
    cycle_create,
    cycle_update,
    document_create,
    judge_assign,
    member_add,
    programme_create,
    question_create,
    tier_create,
)
from .visits import visit_cancel, visit_clashes, visit_photo_add, visit_report, visit_schedule

__all__ = [
    "applicant_for", "category_create", "conflict_declare", "criteria_copy", "criterion_create", "cycle_create",
    "cycle_update", "deadline_for", "document_create", "document_upload", "extension_grant", "judge_assign",
    "judge_totals", "member_add", "missing_for_submission", "nomination_create", "nomination_save",
    "nomination_screen", "nomination_shortlist", "nomination_submit", "nomination_withdraw",
    "nominee_organization_resolve", "nominee_person_resolve", "programme_create", "question_create",
    "results_approve", "results_compute", "results_finalize", "results_publish", "results_reopen",
    "score_sheets_save", "signin_link_send", "signin_link_use", "tier_create", "visit_cancel", "visit_clashes",
    "visit_photo_add", "visit_report", "visit_schedule", "winners_order_set",
]
