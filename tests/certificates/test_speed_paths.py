"""The bulk path's shortcuts give what the plain way gives: QR codes, e-mails, printed lines, and a number of
SQL statements that does not grow with the number of certificates."""

import base64
import io
import secrets

import pytest
import qrcode
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from certificates import rendering, services
from certificates.mail import KIND, certificate_issued_messages
from certificates.models import Certificate, CertificateBatch, Kind
from forum.mailing.models import OutgoingMessage
from forum.mailing.rendering import render_bilingual_email
from forum.qr import QRLayout
from tests.factories import PersonFactory, TeamMemberFactory
from tests.registration.badges.factories import RegistrationFactory

from .factories import admit_at_door, checkin_staff, forum_with_sessions
from .test_certificates import _qr_texts


def _code() -> str:
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")


def _qrcode_rows(text: str, version: int, mask: int) -> list[str]:
    code = qrcode.QRCode(version=version, error_correction=qrcode.constants.ERROR_CORRECT_M, border=0,
                         mask_pattern=mask)
    code.add_data(text)
    code.make(fit=False)
    return ["".join("1" if module else "0" for module in row) for row in code.get_matrix()]


@pytest.mark.parametrize("text", [
    "https://forum.example.org/certificates/v/{code}/",  # the verification URL: bytes, then capitals
    "http://127.0.0.1:8000/certificates/v/{code}/",
    "{code}",  # alphanumeric only
    "12345678901234567890123 {code} 9876543210987654321098765",  # numeric runs as well
    "شهادة {code}",  # UTF-8 bytes
    "x" * 200,  # a larger version, with version information bits
])
@pytest.mark.parametrize("mask", [2, 5])
def test_qr_layout_gives_the_modules_qrcode_gives(text, mask):
    for _ in range(3):
        data = text.format(code=_code())
        layout = QRLayout.for_text(data, mask=mask)
        assert layout.rows(data) == _qrcode_rows(data, layout.version, mask)


def test_qr_layout_refuses_text_longer_than_its_version_holds():
    layout = QRLayout.for_text("short", mask=2)
    assert layout.rows("a much longer text than a version one code can hold") is None


@pytest.mark.django_db
def test_certificates_of_one_document_each_carry_their_own_readable_qr(forum):
    organizer = TeamMemberFactory(forum=forum, role="editor").user
    certificates = [services.certificate_issue(forum=forum, kind=Kind.ATTENDANCE, by=organizer, notify=False,
                                               holder=RegistrationFactory(forum=forum)) for _ in range(3)]
    out = io.BytesIO()
    look = rendering.look_for(forum=forum, kind=Kind.ATTENDANCE)
    rendering.certificates_write(forum=forum, certificates=certificates, out=out, look_of=lambda _kind: look)
    reader = PdfReader(io.BytesIO(out.getvalue()))
    urls = []
    for index in range(len(reader.pages)):
        from pypdf import PdfWriter

        page = io.BytesIO()
        writer = PdfWriter()
        writer.add_page(reader.pages[index])
        writer.write(page)
        urls += _qr_texts(page.getvalue())
    assert urls == [rendering.verification_url(c.code) for c in certificates]


@pytest.mark.django_db
def test_name_with_letters_the_arabic_font_lacks_still_prints_them(forum):
    organizer = TeamMemberFactory(forum=forum, role="editor").user
    holder = PersonFactory(full_name_ar="محمد Ω. العتيبي", full_name_en="Mohammed Ω. Alotaibi")
    cert = services.certificate_issue(forum=forum, kind=Kind.PARTICIPATION, holder=holder, by=organizer,
                                      notify=False)
    text = PdfReader(io.BytesIO(rendering.certificate_pdf(certificate=cert))).pages[0].extract_text()
    assert text.count("Ω") == 2  # in the Arabic line (from the fallback font) and in the English one


@pytest.mark.django_db
def test_bulk_email_is_the_template_rendered_for_each_holder(forum):
    organizer = TeamMemberFactory(forum=forum, role="editor").user
    forum.title_en = "Quality & <Excellence>"
    forum.save(update_fields=["title_en"])
    people = [PersonFactory(full_name_en="O'Brien & <Sons>", full_name_ar="آل \"سعود\" & أبناؤه"), PersonFactory()]
    certificates = [services.certificate_issue(forum=forum, kind=Kind.APPRECIATION, holder=p, by=organizer,
                                               notify=False) for p in people]
    messages = certificate_issued_messages(certificates=certificates)
    assert len(messages) == 2
    for cert, message in zip(certificates, messages, strict=True):
        direct = render_bilingual_email("certificates/email/issued", {
            "certificate": cert, "forum": forum, "url": rendering.verification_url(cert.code)})
        assert (message.subject, message.text_body, message.html_body) == (direct.subject, direct.text, direct.html)
        assert (message.to, message.kind, message.related_id) == (cert.email, KIND, str(cert.pk))
    assert "O'Brien & <Sons>" in messages[0].text_body  # plain text is not HTML-escaped
    assert "O&#x27;Brien &amp; &lt;Sons&gt;" in messages[0].html_body


def _attendees_batch_statements(forum, owner, count: int) -> int:
    Certificate.objects.filter(forum=forum).delete()
    OutgoingMessage.objects.all().delete()
    staff = checkin_staff(forum)
    have = forum.registrations.filter(status="confirmed").count()
    for _ in range(count - have):
        admit_at_door(RegistrationFactory(forum=forum, person=PersonFactory()), staff=staff)
    batch = CertificateBatch.objects.create(forum=forum, requested_by=owner, scope="attendees", total=count)
    with CaptureQueriesContext(connection) as queries:
        batch = services.batch_run(batch_id=batch.pk)
    assert batch.status == "done" and batch.done == count, batch.error
    assert OutgoingMessage.objects.filter(kind=KIND).count() == count
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_bulk_job_runs_as_many_sql_statements_for_three_certificates_as_for_twelve(django_capture_on_commit_callbacks):
    forum, _sessions = forum_with_sessions(1)
    owner = TeamMemberFactory(forum=forum, role="owner").user
    with django_capture_on_commit_callbacks(execute=False):  # the e-mails are sent by the mail worker
        few = _attendees_batch_statements(forum, owner, 3)
        many = _attendees_batch_statements(forum, owner, 12)
    assert few == many


def test_long_latin_line_shrinks_to_fit_and_short_one_keeps_its_size():
    import re

    pdf = rendering.CertificatePDF()
    pdf.add_page()
    sizes = []
    for name in ("Eng. Tariq Alamri", "Eng. " + "Abdulrahman bin Mohammed bin Abdullah Al Saud Alqahtani " * 3):
        before = len(pdf.pages[pdf.page].contents)
        pdf.fit_line(name, x=30, y=78, w=237, h=8, family="sans", style="B", size=15, min_size=7)
        operators = bytes(pdf.pages[pdf.page].contents[before:]).decode("latin-1")
        size = float(re.search(r"/F\d+ ([\d.]+) Tf", operators).group(1))
        pdf.set_font("sans", "B", size)
        assert pdf.get_string_width(name) <= 237 or size == 7  # fits, or is as small as it may get
        sizes.append(size)
    assert sizes[0] == 15 and 7 <= sizes[1] < 15
    text = PdfReader(io.BytesIO(bytes(pdf.output()))).pages[0].extract_text()
    assert "Eng. Tariq Alamri" in text


def test_verification_url_maker_gives_the_same_addresses_as_verification_url(settings):
    from certificates.rendering import verification_url, verification_url_maker

    settings.SITE_URL = "https://forum.example.org"
    url = verification_url_maker()
    for code in ("Zx3_k9-QpL2mN8vT", "A" * 26, "needs-escaping-é", "with space"):
        assert url(code) == verification_url(code), code
    assert url("Zx3_k9-QpL2mN8vT").startswith("https://forum.example.org/")
