"""The invited person's profile, and the change of their own e-mail address (a link to the new one, a notice to the old)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.core import signing
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from forum.errors import DomainError, PermissionDenied
from forum.models import Person

from .. import mail
from ..models import (
    ProfilePhoto,
)
from ..uploads import UploadRefused, reencode_photo

# -- profile ----------------------------------------------------------------------------------

PROFILE_FIELDS = (
    "honorific", "academic_title", "full_name_ar", "full_name_en", "position_ar", "position_en", "bio_ar", "bio_en",
    "preferred_language",
)
PHOTO_MAX_BYTES = 10 * 1024 * 1024


@transaction.atomic
def profile_update(*, person: Person, organization_name: str | None = None, photo=None, **changes) -> Person:
    """The person completes their profile. A photo is re-encoded (metadata stripped) with a thumbnail."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    if "full_name_ar" in changes and not (changes["full_name_ar"] or "").strip():
        raise DomainError(_("The name in Arabic is required."), field="full_name_ar", code="required")
    person = Person.objects.select_for_update().get(pk=person.pk)
    for key, value in changes.items():
        setattr(person, key, value)
    if organization_name is not None and organization_name.strip():
        from forum.models import Organization

        name = organization_name.strip()
        org = Organization.objects.filter(name_ar=name, parent=None).first() or Organization.objects.filter(
            name_en=name
        ).first()
        if org is None:
            org = Organization.objects.create(name_ar=name)
        person.organization = org
    if photo is not None:
        if photo.size > PHOTO_MAX_BYTES:
            raise UploadRefused(_("The photo is too large; the limit is 10 MB."), code="photo_too_large")
        photo_bytes, thumb_bytes = reencode_photo(photo)
        stem = uuid.uuid4().hex
        person.photo.save(f"{stem}.jpg", ContentFile(photo_bytes), save=False)
        thumb, _created = ProfilePhoto.objects.get_or_create(person=person, defaults={"thumbnail": ""})
        thumb.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(thumb_bytes), save=True)
    person.full_clean(validate_unique=False, validate_constraints=False)
    person.save()
    return person


# -- the person's own e-mail --------------------------------------------------------------------
#
# The e-mail is how a person signs in, so only they change it, from their profile: a link goes to
# the new address (proving it is theirs) and a notice to the old one (so a stolen session cannot
# move the account quietly). Neither message belongs to a forum's outbox.

EMAIL_CHANGE_SALT = "speakers.profile.email_change"  # signs nothing else
EMAIL_CHANGE_DAYS = 2


def _email_key(email: str) -> str:
    return (email or "").strip().lower()


@transaction.atomic
def profile_email_change_request(*, person: Person, new_email: str) -> None:
    new_email = (new_email or "").strip()
    if not new_email:
        raise DomainError(_("Enter the new e-mail address."), field="email", code="required")
    if _email_key(new_email) == _email_key(person.email):
        raise DomainError(_("This is already your e-mail address."), field="email", code="unchanged")
    if Person.objects.filter(email__iexact=new_email).exclude(pk=person.pk).exists():
        raise DomainError(_("Another person already uses this e-mail address."), field="email", code="email_taken")
    token = signing.dumps({"p": person.pk, "old": person.email, "new": new_email}, salt=EMAIL_CHANGE_SALT)
    mail.email_change_mail_enqueue(person=person, new_email=new_email, token=token)


@transaction.atomic
def profile_email_change_confirm(*, token: str) -> Person:
    """Apply a confirmed change; the link works once (the old address must still be the current one)."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=timedelta(days=EMAIL_CHANGE_DAYS))
        person_id, old, new = int(data["p"]), data["old"], data["new"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise PermissionDenied(_("This confirmation link is not valid or has expired."), code="link_invalid")
    # Only the person row is locked: PostgreSQL cannot lock the nullable side of the join to the user.
    person = Person.objects.select_for_update(of=("self",)).select_related("user").filter(pk=person_id).first()
    if person is None or _email_key(person.email) != _email_key(old):
        raise PermissionDenied(_("This confirmation link was already used or replaced."), code="link_used")
    if Person.objects.filter(email__iexact=new).exclude(pk=person.pk).exists():
        raise DomainError(_("Another person already uses this e-mail address."), field="email", code="email_taken")
    person.email = new
    person.save(update_fields=["email"])
    if person.user is not None:
        person.user.email = new
        person.user.save(update_fields=["email"])
    return person
