from celery import shared_task


@shared_task(name="calls.acceptances_expire")
def acceptances_expire_task() -> int:
    from .services import acceptances_expire

    return acceptances_expire()
