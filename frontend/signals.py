"""Forget the cached "latest version" pointer of a forum when it publishes or changes.

Rendered pages need no invalidation (their keys carry the version number);
only the small pointer from a forum's slug to its latest version does. A new
version's most read pages are rendered into the cache as soon as it is published.
"""

import logging

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from forum.models import Forum
from sessions.models import ScheduleVersion
from sessions.signals import schedule_published

from .caching import pointer_forget
from .tasks import agenda_cache_warm_task

log = logging.getLogger(__name__)


@receiver(post_save, sender=ScheduleVersion, dispatch_uid="frontend_version_saved")
def version_saved(sender, instance: ScheduleVersion, **kwargs):
    pointer_forget(slug=instance.forum.slug)


@receiver(post_delete, sender=ScheduleVersion, dispatch_uid="frontend_version_deleted")
def version_deleted(sender, instance: ScheduleVersion, **kwargs):
    pointer_forget(slug=Forum.objects.filter(pk=instance.forum_id).values_list("slug", flat=True).first() or "")


@receiver(schedule_published, dispatch_uid="frontend_schedule_published")
def version_published(sender, version: ScheduleVersion, **kwargs):
    # Again after the commit: a request between the save and the commit may have cached the old pointer.
    pointer_forget(slug=version.forum.slug)
    # Then the new version's pages, rendered before visitors ask (in the background with a broker).
    try:
        agenda_cache_warm_task.delay(version.forum_id)
    except Exception:  # broker down, or a render failing: publishing must not fail because of the cache
        log.exception("could not warm the agenda cache for schedule version %s", version.pk)


@receiver(post_save, sender=Forum, dispatch_uid="frontend_forum_saved")
def forum_saved(sender, instance: Forum, **kwargs):
    pointer_forget(slug=instance.slug)
