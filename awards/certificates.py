"""Proof of a win: the seam where award certificates will plug in.

The `certificates` app (being built) will issue a certificate of kind "award"
for each published winner; until it exists, a winner's proof is the public
result page at an unguessable address (Result.public_code), which anyone can
open to verify the result. When the certificates app lands, issue the
certificate here and store its reference on Result.certificate_ref; callers
(publishing, the e-mail to winners, the pages) already go through this module.
"""

from __future__ import annotations

from .links import site_url


def winner_proof_url(result, lang: str = "ar") -> str:
    """Where a winner's result can be verified: the certificate once issued, the result page until then."""
    return site_url("awards:result_verify", lang, code=result.public_code)
