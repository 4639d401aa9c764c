"""Working papers: uploads (checked before anything is written), title and abstract, deadline extensions, the forum's paper settings, reminders of what is missing."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from forum import permissions as forum_permissions
from forum.errors import DomainError, PermissionDenied
from forum.models import Forum, Person

from .. import mail, selectors
from ..models import (
    Invitation,
    PaperFile,
    PaperSettings,
    WorkingPaper,
)
from ..uploads import inspect_upload, version_store

# -- paper files ------------------------------------------------------------------------------


def upload_allowed_now(*, paper: WorkingPaper, user, now: datetime | None = None) -> bool:
    """Organizers may always upload; speakers until the deadline or their extension."""
    if forum_permissions.can_edit_forum(user, paper.forum):
        return True
    deadline = selectors.paper_deadline(paper=paper)
    return deadline is None or (now or timezone.now()) <= deadline


def paper_file_upload(
    *, paper: WorkingPaper, user, upload, role: str = PaperFile.Role.PAPER, now: datetime | None = None
) -> PaperFile:
    """Store a new version of a paper (or of its slides) after checking it completely.

    Only the paper's speakers and the forum's editors may upload; after the
    deadline, speakers need an organizer's extension. The file is checked
    (kind from content, macros, ZIP bombs, encryption, size) before anything
    is written; it is stored under a random name, then the row is committed.
    If anything fails, the stored file is removed and earlier versions stay
    exactly as they were.
    """
    if not selectors.user_can_upload(user, paper):
        raise PermissionDenied(_("You cannot upload files for this paper."))
    if role not in PaperFile.Role.values:
        raise DomainError(_("Unknown file."), field="role", code="bad_role")
    if not upload_allowed_now(paper=paper, user=user, now=now):
        deadline = selectors.paper_deadline(paper=paper)
        local = deadline.astimezone(paper.forum.tzinfo)
        raise DomainError(
            _("The deadline passed on %(date)s. Uploading now needs an extension from the organizers.")
            % {"date": local.strftime("%Y-%m-%d %H:%M")},
            field="file", code="deadline_passed",
        )
    settings_ = selectors.paper_settings_for(forum=paper.forum)
    accepted = list(settings_.accepted_kinds)
    if role == PaperFile.Role.SLIDES:
        accepted = [k for k in accepted if k in ("pdf", "pptx")] or ["pdf", "pptx"]
    inspected = inspect_upload(
        upload, name=getattr(upload, "name", ""), size=upload.size, accepted_kinds=accepted,
        max_bytes=settings_.max_upload_bytes,
    )
    stored = PaperFile(
        paper=paper, role=role, kind=inspected.kind, original_name=(getattr(upload, "name", "") or "")[-255:],
        size=inspected.size, sha256=inspected.sha256, uploaded_by=user if user.is_authenticated else None,
    )
    def submitted() -> None:
        if role == PaperFile.Role.PAPER and paper.status in (WorkingPaper.Status.DRAFT, WorkingPaper.Status.REVISE):
            WorkingPaper.objects.filter(pk=paper.pk).update(status=WorkingPaper.Status.SUBMITTED)

    version_store(stored=stored, upload=upload, kind=inspected.kind, parent=WorkingPaper.objects.filter(pk=paper.pk),
                  versions=PaperFile.objects.filter(paper=paper, role=role), then=submitted)
    return stored


@transaction.atomic
def paper_update(*, paper: WorkingPaper, user, **changes) -> WorkingPaper:
    """Speakers (and editors) correct the title and abstract."""
    if not selectors.user_can_upload(user, paper):
        raise PermissionDenied(_("You cannot change this paper."))
    allowed = {"title_ar", "title_en", "abstract_ar", "abstract_en"}
    if set(changes) - allowed:
        raise TypeError(f"unknown paper fields: {sorted(set(changes) - allowed)}")
    if "title_ar" in changes and not changes["title_ar"].strip():
        raise DomainError(_("The title in Arabic is required."), field="title_ar", code="required")
    for key, value in changes.items():
        setattr(paper, key, value)
    paper.save(update_fields=list(changes))
    return paper


@transaction.atomic
def paper_extension_grant(*, paper: WorkingPaper, until: datetime, granted_by) -> WorkingPaper:
    """An organizer lets this paper's speakers upload until `until`, past the forum deadline."""
    if not forum_permissions.can_edit_forum(granted_by, paper.forum):
        raise PermissionDenied(_("Only the organizers may grant an extension."))
    if until <= timezone.now():
        raise DomainError(_("The extension must end in the future."), field="until", code="past")
    paper.extended_until = until
    paper.extended_by = granted_by
    paper.save(update_fields=["extended_until", "extended_by"])
    return paper


@transaction.atomic
def paper_settings_update(*, forum: Forum, user, **changes) -> PaperSettings:
    """Deadline, accepted kinds, size limit, review and publication for one forum."""
    if not forum_permissions.can_edit_forum(user, forum):
        raise PermissionDenied(_("Only the organizers may change the paper settings."))
    allowed = {"deadline", "accepted_kinds", "max_upload_mb", "review_enabled", "publication"}
    if set(changes) - allowed:
        raise TypeError(f"unknown settings: {sorted(set(changes) - allowed)}")
    kinds = changes.get("accepted_kinds")
    if kinds is not None:
        from ..models import FileKind

        kinds = [k for k in FileKind.values if k in set(kinds)]
        if not kinds:
            raise DomainError(_("Accept at least one kind of file."), field="accepted_kinds", code="required")
        changes["accepted_kinds"] = kinds
    size = changes.get("max_upload_mb")
    if size is not None and not 1 <= int(size) <= 200:
        raise DomainError(_("The size limit must be between 1 and 200 MB."), field="max_upload_mb", code="range")
    obj, _created = PaperSettings.objects.select_for_update().get_or_create(forum=forum)
    for key, value in changes.items():
        setattr(obj, key, value)
    obj.save()
    return obj


REMINDER_ITEMS = {"reply": gettext_noop("a reply to the invitation"), "paper": gettext_noop("the working paper")}


@transaction.atomic
def reminders_send(*, forum: Forum, user) -> int:
    """One e-mail to everyone who still owes a reply or a paper; returns how many were queued."""
    if not forum_permissions.can_edit_forum(user, forum):
        raise PermissionDenied(_("Only the organizers may send reminders."))
    owed: dict[int, tuple[Person, list[str]]] = {}
    for status in selectors.forum_dashboard(forum=forum):
        for part in status.parts:
            inv = part.invitation
            items = []
            if inv is not None and inv.status == Invitation.Status.PENDING:
                items.append(REMINDER_ITEMS["reply"])
            if part.paper is not None and not part.has_paper_file and (
                inv is None or inv.status != Invitation.Status.DECLINED
            ):
                items.append(REMINDER_ITEMS["paper"])
            if items and part.person.email:
                entry = owed.setdefault(part.person.pk, (part.person, []))
                entry[1].extend(i for i in items if i not in entry[1])
    deadline = selectors.paper_settings_for(forum=forum).deadline
    for person, items in owed.values():
        mail.reminder_mail_enqueue(person=person, forum=forum, missing=items, deadline=deadline)
    return len(owed)
