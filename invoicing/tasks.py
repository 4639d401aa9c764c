"""Background work of invoicing: thin wrappers over the services."""

from __future__ import annotations

from celery import shared_task


@shared_task
def invoice_email_send_task(invoice_id: int) -> int | None:
    from .services import invoice_email_send

    message = invoice_email_send(invoice_id=invoice_id)
    return message.pk if message is not None else None
