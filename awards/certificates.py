"""Proof of a win: an award certificate (the certificates app, kind "award") for each published winner.

A cycle whose ceremony is held at a forum issues its winners' certificates when it publishes: the forum's
organizers linked it (awards.services.setup checks it), so they have agreed to honor its winners there.
The certificate's code is kept on Result.certificate_ref and its verification page is the winner's proof.
A cycle with no ceremony forum has no certificates; its winners' proof is the public result page at an
unguessable address (Result.public_code), which anyone can open to verify the result.
"""

from __future__ import annotations

from certificates.rendering import verification_url
from certificates.services import AwardWinner, award_certificates_issue

from .links import site_url
from .models import Cycle, Result


def winner_proof_url(result: Result, lang: str = "ar") -> str:
    """Where a winner's result can be verified: the award certificate once issued, else the result page."""
    if result.certificate_ref:
        return verification_url(result.certificate_ref)
    return site_url("awards:result_verify", lang, code=result.public_code)


def _what_was_won(cycle: Cycle, result: Result) -> tuple[str, str]:
    programme = cycle.programme
    if result.tier_id:
        label_ar, label_en = result.tier.name_ar, result.tier.name_en or result.tier.name_ar
    else:
        label_ar, label_en = result.category.name_ar, result.category.name_en or result.category.name_ar
    # Printed after the kind's reason: «تقديرًا للفوز بجائزة …» / "in recognition of winning the … award".
    return (f"ب{programme.name_ar} (الدورة {cycle.number}) — {label_ar}",
            f"the {programme.name_en or programme.name_ar} (cycle {cycle.number}) — {label_en}")


def winners_certify(*, cycle: Cycle, winners: list[Result], by) -> None:
    """Issue (or give back) the award certificates of a publishing cycle's winners and note their codes."""
    if not cycle.forum_id or not winners:
        return
    entries = []
    for result in winners:
        nomination = result.nomination
        person, organization = nomination.nominee_person, nomination.nominee_organization
        role_ar, role_en = _what_was_won(cycle, result)
        entries.append(AwardWinner(
            subject=f"award-result:{result.pk}",
            name_ar=person.full_name_ar if person else organization.name_ar,
            name_en=person.full_name_en if person else organization.name_en,
            honorific=person.honorific if person else "", person=person,
            role_ar=role_ar, role_en=role_en,
            # An organization's certificate goes to whoever applied for it; a person's to the person.
            email=(person.email if person and person.email else nomination.applicant.email),
            language=(person or nomination.applicant).preferred_language or "ar",
        ))
    certificates = award_certificates_issue(forum=cycle.forum, winners=entries, by=by, notify=True)
    changed = []
    for result, certificate in zip(winners, certificates, strict=True):
        if result.certificate_ref != certificate.code:
            result.certificate_ref = certificate.code
            changed.append(result)
    Result.objects.bulk_update(changed, ["certificate_ref"])
