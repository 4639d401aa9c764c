"""Background work of registration: thin wrappers over services and the mail builder.

Each task keeps the Celery name it had before it was named `<thing>_<action>_task`
(`registration.tasks.<old name>`): the beat schedule and any message already
queued on the broker find it by that name.
"""

from __future__ import annotations

import logging

from celery import shared_task

log = logging.getLogger(__name__)


@shared_task(name="registration.tasks.registration_confirmation_send")
def registration_confirmation_send_task(registration_id: int, resend: bool = False) -> int | None:
    from .mail import confirmation_enqueue

    message = confirmation_enqueue(registration_id=registration_id, resend=resend)
    return message.pk if message is not None else None


@shared_task(name="registration.tasks.registration_received_send")
def registration_received_send_task(registration_id: int) -> None:
    from .mail import received_enqueue

    received_enqueue(registration_id=registration_id)


@shared_task(name="registration.tasks.registration_notifications_send")
def registration_notifications_send_task(items: list) -> int:
    """New registrations' e-mails, batched by services.NEW_REGISTRATION_NOTIFICATIONS: [kind, id] pairs."""
    from .mail import notifications_enqueue

    return notifications_enqueue(items=items)


@shared_task(name="registration.tasks.registration_notifications_send_due")
def registration_notifications_send_due_task() -> int:
    """Run every minute (CELERY_BEAT_SCHEDULE): e-mails of new registrations whose job was lost."""
    from .mail import notifications_missing_enqueue

    return notifications_missing_enqueue()


@shared_task(name="registration.tasks.registration_badge_revoke")
def registration_badge_revoke_task(registration_id: int) -> None:
    from .mail import badge_revoke_for, ended_enqueue

    badge_revoke_for(registration_id=registration_id)
    ended_enqueue(registration_id=registration_id)


@shared_task(name="registration.tasks.waitlist_offer_send")
def waitlist_offer_send_task(entry_id: int) -> None:
    from .mail import waitlist_offer_enqueue

    waitlist_offer_enqueue(entry_id=entry_id)


@shared_task(name="registration.tasks.payment_intent_abandon")
def payment_intent_abandon_task(registration_id: int) -> None:
    from . import services

    services.payment_intent_abandon(registration_id=registration_id)


@shared_task(name="registration.tasks.registrations_expire")
def registrations_expire_task() -> int:
    """Run every minute (CELERY_BEAT_SCHEDULE): release unpaid seats past their hold."""
    from . import services

    return services.registrations_expire()
