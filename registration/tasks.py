"""Background work of registration: thin wrappers over services and the mail builder."""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task
def registration_confirmation_send(registration_id: int, resend: bool = False) -> int | None:
    from .mail import confirmation_enqueue

    message = confirmation_enqueue(registration_id=registration_id, resend=resend)
    return message.pk if message is not None else None


@shared_task
def registration_received_send(registration_id: int) -> None:
    from .mail import received_enqueue

    received_enqueue(registration_id=registration_id)


@shared_task
def registration_notifications_send(items: list) -> int:
    """New registrations' e-mails, batched by services.NEW_REGISTRATION_NOTIFICATIONS: [kind, id] pairs."""
    from .mail import notifications_enqueue

    return notifications_enqueue(items=items)


@shared_task
def registration_notifications_send_due() -> int:
    """Run every minute (CELERY_BEAT_SCHEDULE): e-mails of new registrations whose job was lost."""
    from .mail import notifications_missing_enqueue

    return notifications_missing_enqueue()


@shared_task
def registration_badge_revoke(registration_id: int) -> None:
    from .mail import badge_revoke_for, ended_enqueue

    badge_revoke_for(registration_id=registration_id)
    ended_enqueue(registration_id=registration_id)


@shared_task
def waitlist_offer_send(entry_id: int) -> None:
    from .mail import waitlist_offer_enqueue

    waitlist_offer_enqueue(entry_id=entry_id)


@shared_task
def payment_intent_abandon(registration_id: int) -> None:
    from . import services

    services.payment_intent_abandon(registration_id=registration_id)


@shared_task
def registrations_expire() -> int:
    """Run every minute (CELERY_BEAT_SCHEDULE): release unpaid seats past their hold."""
    from . import services

    return services.registrations_expire()
