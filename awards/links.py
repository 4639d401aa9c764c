"""Absolute links into the site, in a given language (for e-mails and proofs of results)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation


def site_url(name: str, lang: str = "ar", **kwargs) -> str:
    with translation.override(lang):
        return f"{settings.SITE_URL}{reverse(name, kwargs=kwargs)}"
