"""Every write about speakers and papers goes through here (pages, API, admin and tasks), by sub-domain:

- invitations.py  the personal link and its token, signing in by it, invitations to a part in a session;
- profile.py      the person's profile, and the change of their own e-mail address;
- papers.py       uploads, title and abstract, extensions, the paper settings, reminders of what is missing;
- review.py       criteria, reviewers' assignments and scores, the organizers' decision;
- proceedings.py  queuing and building the proceedings book.

They do not import one another. Callers import the public names from `speakers.services`, as before
the split. E-mails are composed from templates by speakers.mail (Arabic first, English below), stored
in the outbox inside the same transaction and sent after commit by forum.mailing.
"""

from .invitations import (
    TOKEN_SALT,
    invitation_create,
    invitation_for_token,
    invitation_respond,
    invitation_revoke,
    invitation_sign_in,
    portal_user_for_invitation,
    portal_user_for_person,
)
from .papers import (
    REMINDER_ITEMS,
    paper_extension_grant,
    paper_file_upload,
    paper_settings_update,
    paper_update,
    reminders_send,
    upload_allowed_now,
)
from .proceedings import (
    proceedings_build,
    proceedings_request,
)
from .profile import (
    EMAIL_CHANGE_DAYS,
    EMAIL_CHANGE_SALT,
    PHOTO_MAX_BYTES,
    PROFILE_FIELDS,
    profile_email_change_confirm,
    profile_email_change_request,
    profile_update,
)
from .review import (
    DECISIONS,
    criterion_create,
    paper_decide,
    review_assign,
    review_submit,
)

__all__ = [
    "TOKEN_SALT",
    "invitation_create",
    "invitation_for_token",
    "invitation_respond",
    "invitation_revoke",
    "invitation_sign_in",
    "portal_user_for_invitation",
    "portal_user_for_person",
    "EMAIL_CHANGE_DAYS",
    "EMAIL_CHANGE_SALT",
    "PHOTO_MAX_BYTES",
    "PROFILE_FIELDS",
    "profile_email_change_confirm",
    "profile_email_change_request",
    "profile_update",
    "REMINDER_ITEMS",
    "paper_extension_grant",
    "paper_file_upload",
    "paper_settings_update",
    "paper_update",
    "reminders_send",
    "upload_allowed_now",
    "DECISIONS",
    "criterion_create",
    "paper_decide",
    "review_assign",
    "review_submit",
    "proceedings_build",
    "proceedings_request",
]
