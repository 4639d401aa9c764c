"""Messages to attendees, built in the background and sent through the outbox.

Every message carries Arabic first and English below it, whatever language
the person chose, because these e-mails are forwarded inside organizations.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from forum.mailing.models import OutgoingMessage
from forum.mailing.rendering import RenderedEmail, render_bilingual_email
from forum.mailing.services import Attachment, message_enqueue

from . import hooks
from .models import Registration, WaitlistEntry, amount_display

log = logging.getLogger(__name__)

CONFIRMATION_KIND = "registration_confirmation"
RECEIVED_KIND = "registration_received"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def registration_url(registration: Registration, language: str = "ar") -> str:
    with translation.override(language):
        return absolute(reverse("registration:detail", args=[registration.access_token]))


def _render(template: str, context: dict) -> RenderedEmail:
    """The message from templates/registration/email/<template>{_subject.txt,.txt,.html}, rendered by the mailing
    app in Arabic and then in English. A context key ending in _ar or _en ("url_ar") is given to its own part
    without the suffix ("url")."""

    def localize(language: str) -> dict:
        suffix = f"_{language}"
        return {key[: -len(suffix)]: value for key, value in context.items() if key.endswith(suffix)}

    return render_bilingual_email(f"registration/email/{template}", context, localize)


def confirmation_attachments(registration: Registration) -> list[Attachment]:
    """What the apps above registered (the badge PDF, the calendar invite); a failure of one must not stop
    the e-mail."""
    attachments = []
    for name, provider in hooks.confirmation_attachment_providers():
        try:
            attachments.append(provider(registration))
        except Exception:  # the badge and the invite can still be fetched from the registration page
            log.exception("%s for registration %s failed", name, registration.pk)
    return attachments


def confirmation_enqueue(*, registration_id: int, resend: bool = False) -> OutgoingMessage | None:
    registration = (
        Registration.objects.select_related("forum", "registration_type", "payment").filter(pk=registration_id).first()
    )
    if registration is None or registration.status != Registration.Status.CONFIRMED:
        return None
    if not resend and OutgoingMessage.objects.filter(kind=CONFIRMATION_KIND, related_id=str(registration.pk)).exists():
        return None  # a retried task must not send the confirmation twice
    for receiver, error in hooks.confirmation_preparing.send_robust(sender=Registration, registration=registration):
        if isinstance(error, Exception):
            log.error("preparing the confirmation of registration %s failed in %s", registration.pk,
                      getattr(receiver, "__qualname__", receiver), exc_info=error)
    context = {
        "registration": registration, "forum": registration.forum, "type": registration.registration_type,
        "url_ar": registration_url(registration, "ar"), "url_en": registration_url(registration, "en"),
    }
    email = _render("confirmation", context)
    return message_enqueue(
        to=registration.email, subject=email.subject, text_body=email.text, html_body=email.html,
        attachments=confirmation_attachments(registration), language=registration.language,
        kind=CONFIRMATION_KIND, related=registration, forum=registration.forum,
    )


def badge_revoke_for(*, registration_id: int) -> None:
    registration = Registration.objects.filter(pk=registration_id).first()
    if registration is None or registration.holds_seat:
        return
    hooks.seat_released.send(sender=Registration, registration=registration)


def waitlist_offer_enqueue(*, entry_id: int) -> OutgoingMessage | None:
    entry = WaitlistEntry.objects.select_related("forum", "registration_type").filter(pk=entry_id).first()
    if entry is None or entry.status != WaitlistEntry.Status.OFFERED:
        return None
    urls = {}
    for language in ("ar", "en"):
        with translation.override(language):
            urls[language] = absolute(reverse("registration:claim", args=[entry.claim_token]))
    context = {"entry": entry, "forum": entry.forum, "type": entry.registration_type,
               "url_ar": urls["ar"], "url_en": urls["en"]}
    email = _render("waitlist_offer", context)
    return message_enqueue(
        to=entry.email, subject=email.subject, text_body=email.text, html_body=email.html,
        language=entry.language, kind="waitlist_offer", related=entry, forum=entry.forum,
    )


def received_enqueue(*, registration_id: int) -> OutgoingMessage | None:
    """A pending (unpaid) or awaiting-approval registration: its link, to pay or to follow it up. Once."""
    registration = Registration.objects.select_related("forum", "registration_type").filter(pk=registration_id).first()
    if registration is None or registration.status not in (Registration.Status.PENDING,
                                                           Registration.Status.AWAITING_APPROVAL):
        return None
    if OutgoingMessage.objects.filter(kind=RECEIVED_KIND, related_id=str(registration.pk)).exists():
        return None  # a retried or swept job must not send it twice
    context = {
        "registration": registration, "forum": registration.forum, "type": registration.registration_type,
        "url_ar": registration_url(registration, "ar"), "url_en": registration_url(registration, "en"),
        "amount": amount_display(registration.amount_minor, registration.currency),
    }
    email = _render("received", context)
    return message_enqueue(
        to=registration.email, subject=email.subject, text_body=email.text, html_body=email.html,
        language=registration.language, kind=RECEIVED_KIND, related=registration,
        forum=registration.forum,
    )


def _register_url(slug: str, language: str) -> str:
    with translation.override(language):
        return absolute(reverse("registration:register", args=[slug]))


def ended_enqueue(*, registration_id: int) -> OutgoingMessage | None:
    """Tell the attendee their registration was cancelled, rejected or released, and about any refund."""
    registration = (
        Registration.objects.select_related("forum", "registration_type", "payment").filter(pk=registration_id).first()
    )
    ended = (Registration.Status.CANCELLED, Registration.Status.REJECTED, Registration.Status.EXPIRED)
    if registration is None or registration.status not in ended:
        return None
    payment = getattr(registration, "payment", None) if hasattr(registration, "payment") else None
    refunded = payment.amount_refunded_minor if payment is not None else 0
    context = {
        "registration": registration, "forum": registration.forum, "type": registration.registration_type,
        "refund": amount_display(refunded, registration.currency) if refunded else "",
        **{f"register_url_{language}": _register_url(registration.forum.slug, language) for language in ("ar", "en")},
    }
    email = _render("ended", context)
    return message_enqueue(
        to=registration.email, subject=email.subject, text_body=email.text, html_body=email.html,
        language=registration.language, kind=f"registration_{registration.status}", related=registration,
        forum=registration.forum,
    )


def notifications_enqueue(*, items: list) -> int:
    """The e-mails of a batch of new registrations ([kind, id] pairs); one failure does not stop the rest.

    Returns how many were handled without error; a failed one is found again by the sweep.
    """
    senders = {"confirmation": confirmation_enqueue, "received": received_enqueue}
    done = 0
    for kind, registration_id in items:
        try:
            senders[kind](registration_id=registration_id)
            done += 1
        except Exception:
            log.exception("%s e-mail for registration %s failed", kind, registration_id)
    return done


def notifications_missing_enqueue(*, now=None, settle: timedelta = timedelta(minutes=2),
                                  window: timedelta = timedelta(days=2)) -> int:
    """Send the e-mail of every recent registration whose after-commit job never ran.

    Rule: a registration confirmed (or, pending or awaiting approval, created)
    between `window` and `settle` ago, of a forum not yet over, with no
    confirmation (or "received") message in the outbox, gets it now. The
    `settle` time leaves the normal path, which takes milliseconds, to finish
    first; the message kinds make sending twice impossible either way.
    """
    from django.db.models import CharField, Exists, OuterRef
    from django.db.models.functions import Cast

    now = now or timezone.now()
    recent = Registration.objects.filter(forum__last_day__gte=(now - window).date())

    def missing(queryset, kind: str):
        sent = OutgoingMessage.objects.filter(kind=kind, related_id=Cast(OuterRef("pk"), CharField()))
        return queryset.filter(~Exists(sent)).values_list("pk", flat=True)

    confirmations = missing(recent.filter(status=Registration.Status.CONFIRMED,
                                          confirmed_at__range=(now - window, now - settle)), CONFIRMATION_KIND)
    received = missing(recent.filter(status__in=(Registration.Status.PENDING, Registration.Status.AWAITING_APPROVAL),
                                     created_at__range=(now - window, now - settle)), RECEIVED_KIND)
    items = [["confirmation", pk] for pk in confirmations] + [["received", pk] for pk in received]
    if items:
        log.warning("sending %s registration e-mails whose job was lost", len(items))
    return notifications_enqueue(items=items)
