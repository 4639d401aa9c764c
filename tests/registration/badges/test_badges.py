import io

import pytest
from pypdf import PdfReader

from registration.badges import rendering, services, signing
from registration.badges.models import Badge, BadgeSettings
from registration.models import Registration

from .factories import RegistrationFactory, forum_today

pytestmark = pytest.mark.django_db

MM = 72 / 25.4


def test_badge_issue_is_idempotent():
    registration = RegistrationFactory()
    first = services.badge_issue(registration=registration)
    again = services.badge_issue(registration=registration)
    assert first.pk == again.pk
    assert Badge.objects.filter(registration=registration).count() == 1


def test_badge_issue_refused_for_pending_registration():
    from forum.errors import DomainError

    registration = RegistrationFactory(status=Registration.Status.PENDING, confirmed_at=None)
    with pytest.raises(DomainError) as error:
        services.badge_issue(registration=registration)
    assert "registration" in error.value.errors


def test_badge_reissue_revokes_old_token():
    registration = RegistrationFactory()
    old = services.badge_issue(registration=registration)
    new = services.badge_reissue(registration=registration)
    old.refresh_from_db()
    assert old.revoked_at is not None and old.revoked_reason == "reissued"
    assert new.pk != old.pk and new.token != old.token and new.revoked_at is None


def test_badge_revoke_on_cancellation():
    registration = RegistrationFactory()
    badge = services.badge_issue(registration=registration)
    assert services.badge_revoke(registration=registration) == 1
    badge.refresh_from_db()
    assert badge.is_revoked


def test_token_is_short_and_carries_claims():
    registration = RegistrationFactory(forum=forum_today())
    badge = services.badge_issue(registration=registration)
    assert len(badge.token) == 131
    assert set(badge.token) <= set(signing.BASE45)
    claims, payload, signature = signing.token_parse(badge.token)
    assert (claims.forum_id, claims.registration_id, claims.badge_id) == (registration.forum_id, registration.pk, badge.pk)
    assert claims.category == registration.registration_type.category
    # Version 6 at level M (41 x 41 modules) or smaller.
    assert len(rendering.qr_matrix(badge.token)) <= 41


def test_token_signature_check_refuses_one_byte_changed():
    registration = RegistrationFactory(forum=forum_today())
    badge = services.badge_issue(registration=registration)
    outcome, _badge = services.token_verify(token=badge.token, forum=registration.forum)
    assert outcome is None
    raw = bytearray(signing.b45decode(badge.token))
    for position in (3, 10, len(raw) - 1):  # forum id, registration id, signature
        tampered = bytearray(raw)
        tampered[position] ^= 0x01
        outcome, _badge = services.token_verify(token=signing.b45encode(bytes(tampered)), forum=registration.forum)
        assert outcome == "invalid_signature", position


def test_base45_roundtrip():
    for data in (b"", b"a", b"ab", bytes(range(256))):
        assert signing.b45decode(signing.b45encode(data)) == data
    assert signing.b45encode(b"AB") == "BB8"  # RFC 9285 example


def test_private_key_is_stored_encrypted():
    registration = RegistrationFactory()
    badge = services.badge_issue(registration=registration)
    key = badge.signing_key
    assert len(bytes(key.public_key)) == 32
    from cryptography.hazmat.primitives import serialization

    raw_private = signing.private_key(key).private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    assert raw_private not in bytes(key.private_key_encrypted)


def test_badge_pdf_is_one_card_page_with_arabic_name():
    registration = RegistrationFactory(full_name_ar="طارق العمري", honorific="engineer")
    reader = PdfReader(io.BytesIO(services.badge_pdf(registration=registration)))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert round(float(page.mediabox.width) / MM, 1) == 54.0
    assert round(float(page.mediabox.height) / MM, 1) == 85.6
    text = page.extract_text()
    assert "طارق" in text and "العمري" in text
    assert "المهندس" in text
    assert registration.full_name_en in text


def test_badge_pdf_a6_when_forum_setting_says_so():
    registration = RegistrationFactory()
    BadgeSettings.objects.create(forum=registration.forum, paper_format=BadgeSettings.Format.A6)
    registration.forum.refresh_from_db()
    reader = PdfReader(io.BytesIO(services.badge_pdf(registration=registration)))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width) / MM), round(float(page.mediabox.height) / MM)) == (105, 148)


def test_badge_png_is_an_image_of_the_card():
    from PIL import Image

    registration = RegistrationFactory()
    image = Image.open(io.BytesIO(services.badge_png(registration=registration, dpi=150)))
    assert image.format == "PNG"
    assert image.size == (round(54 / 25.4 * 150), round(85.6 / 25.4 * 150))


def test_badge_png_qr_decodes_to_the_token():
    import zxingcpp
    from PIL import Image

    registration = RegistrationFactory(forum=forum_today())
    badge = services.badge_issue(registration=registration)
    image = Image.open(io.BytesIO(services.badge_png(registration=registration, dpi=200))).convert("L")
    assert [code.text for code in zxingcpp.read_barcodes(image)] == [badge.token]
    page_qr = Image.open(io.BytesIO(rendering.qr_png(badge.token))).convert("L")
    assert [code.text for code in zxingcpp.read_barcodes(page_qr)] == [badge.token]
    outcome, _badge = services.token_verify(token=zxingcpp.read_barcodes(image)[0].text, forum=registration.forum)
    assert outcome is None
