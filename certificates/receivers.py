"""The holder finds their certificates where they already look: their registration page and the portal."""

from __future__ import annotations

from django.dispatch import receiver
from django.template.loader import render_to_string

from registration.hooks import registration_page_sections
from speakers.signals import portal_sections

from . import selectors


@receiver(registration_page_sections)
def registration_certificates(sender, registration, request, **kwargs) -> str:
    if registration.status != registration.Status.CONFIRMED:
        return ""
    certificates = selectors.certificates_for_registration(registration=registration)
    eligibility = None if certificates else selectors.eligibility_for_registration(registration=registration)
    return render_to_string("certificates/_registration_panel.html",
                            {"certificates": certificates, "eligibility": eligibility}, request=request)


@receiver(portal_sections)
def portal_certificates(sender, person, request, **kwargs) -> str:
    if person is None:
        return ""
    certificates = selectors.certificates_for_person(person=person)
    if not certificates:
        return ""
    return render_to_string("certificates/_portal_panel.html", {"certificates": certificates}, request=request)
