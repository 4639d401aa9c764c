"""Where papers, slides and proceedings live: a private storage, never served by MEDIA_URL.

On a single machine it is a directory outside MEDIA_ROOT (SPEAKERS_PRIVATE_ROOT);
with object storage it is the default storage (buckets are private and URLs
are signed), under its own prefix. Files are only ever streamed by views that
check who is asking.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateStorage(FileSystemStorage):
    # Read from the settings on every use (not once at import), so tests and
    # deployments can move it.
    @property
    def base_location(self):
        return str(settings.SPEAKERS_PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):  # no public URL, ever
        raise NotImplementedError("private files are streamed by a view that checks access")


def private_storage():
    if getattr(settings, "AWS_STORAGE_BUCKET_NAME", ""):
        return default_storage
    return PrivateStorage()
