from celery import shared_task


@shared_task(name="calls.acceptances_expire")
def acceptances_expire_task() -> int:
    from .services import acceptances_expire

    return acceptances_expire()


@shared_task(name="calls.submissions_close")
def submissions_close_task() -> int:
    from .services import submissions_close

    return submissions_close()
