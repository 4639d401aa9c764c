"""Every write about the call goes through here: pages, API, admin and tasks. By section:
setup, submitting (sign-in, drafts, co-authors, receipt), review, decisions (release, confirmation,
agenda)."""

from ._common import TooManyRequests, throttle, word_count
from .decisions import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    acceptances_expire,
    decisions_release,
    submission_confirm,
    submission_decide,
    submission_place,
    template_for,
    template_save,
)
from .review import has_conflict, reviewer_assign, reviewers_assign_bulk, theme_reviewers_set
from .setup import call_save, type_save
from .submitting import (
    coauthor_confirm,
    coauthor_for_token,
    sign_in_link_send,
    sign_in_link_user,
    submission_save,
    submission_submit,
    submission_withdraw,
    submissions_close,
    unconfirmed_at_deadline,
)

__all__ = [
    "DEFAULT_TEMPLATES", "PLACEHOLDERS", "TooManyRequests", "acceptances_expire", "call_save", "coauthor_confirm", "coauthor_for_token",
    "decisions_release", "has_conflict", "reviewer_assign", "reviewers_assign_bulk", "sign_in_link_send",
    "sign_in_link_user", "submission_confirm", "submission_decide", "submission_place", "submission_save",
    "submission_submit", "submission_withdraw", "submissions_close", "template_for", "template_save", "theme_reviewers_set",
    "throttle", "type_save", "unconfirmed_at_deadline", "word_count",
]
