"""Bulk badge printing joins its parts with the streaming joiner (forum.pdfjoin; its own tests in tests/forum)."""

import io
import re

import pytest
from pypdf import PdfReader

from .factories import RegistrationFactory, forum_today


@pytest.mark.django_db
def test_bulk_sheet_of_several_parts_has_every_badge_once(monkeypatch):
    from registration.badges import rendering, services
    from registration.badges.selectors import print_registrations

    monkeypatch.setattr(rendering, "PART_BADGES", 9)  # 23 badges: three parts, the last one short
    forum = forum_today()
    registrations = [RegistrationFactory(forum=forum) for _ in range(23)]
    out = io.BytesIO()
    count = services.badges_sheet_write(forum=forum, registrations=print_registrations(forum=forum, order_by="name"),
                                         out=out)
    assert count == 23
    reader = PdfReader(io.BytesIO(out.getvalue()), strict=True)
    assert len(reader.pages) == 3
    text = "\n".join(page.extract_text() for page in reader.pages)
    names = re.findall(r"Tariq Abdullah Alamri \d+", text)
    assert sorted(names) == sorted(r.full_name_en for r in registrations)


def _faces(count):
    from registration.badges import rendering

    organizations = ["وزارة الشؤون البلدية والقروية", "هيئة الاتصالات وتقنية المعلومات", "أمانة محافظة جدة Jeddah"]
    return [rendering.BadgeFace(
        forum_title_ar="ملتقى الجودة والتميز 2026", forum_title_en="Quality and Excellence Forum",
        titles_ar=["المهندس", "الدكتور", ""][i % 3], name_ar=f"عبدالرحمن بن محمد بن عبدالعزيز القحطاني {i}",
        titles_en="Eng.", name_en=f"Abdulrahman Alqahtani {i}", position="مدير إدارة الجودة",
        organization=organizations[i % 3], category_ar="كبار الشخصيات", category_en="VIP",
        color=["#14532d", "#fde047"][i % 2], token=f"TOKEN{i:03d}" * 10, reference="ABCDEFGH") for i in range(count)]


def test_bulk_sheet_lines_written_again_look_as_when_shaped_again(monkeypatch):
    """Repeated lines (BadgePDF.repeat_lines) are copied, not shaped again: same pages, same text, same pixels
    (but for anti-aliasing at the edges of a few glyphs)."""
    import pypdfium2
    from PIL import ImageChops

    from registration.badges import rendering

    def sheet(repeat):
        monkeypatch.setattr(rendering.BadgePDF, "repeat_lines", repeat)
        out = io.BytesIO()
        rendering.badges_sheet_draw(faces=_faces(12), paper_format="cr80", title="t", out=out)
        return pypdfium2.PdfDocument(out.getvalue())

    copied, shaped = sheet(True), sheet(False)
    assert len(copied) == len(shaped) == 2
    for a, b in zip(copied, shaped, strict=True):
        assert a.get_textpage().get_text_range() == b.get_textpage().get_text_range()
        diff = ImageChops.difference(a.render(scale=2).to_pil().convert("L"), b.render(scale=2).to_pil().convert("L"))
        assert sum(diff.histogram()[64:]) < 50  # of about 1.2 million pixels


def test_qr_matrix_is_qrcodes_own_with_the_fixed_mask():
    """forum.pdf packs the codewords itself and remembers the version per shape of data: every code must
    still be the one qrcode makes (numeric, alphanumeric and byte segments; one and several RS blocks)."""
    import random

    import qrcode

    from forum.pdf import QR_MASK, qr_matrix
    from registration.badges.signing import BASE45

    rng = random.Random(5)
    tokens = ["".join(rng.choice(BASE45) for _ in range(131)) for _ in range(5)]
    texts = [*tokens, "1234" * 30, "Badge ملتقى", "x" * 300, "HELLO WORLD " * 40, *tokens]  # again: remembered
    for level in (qrcode.constants.ERROR_CORRECT_L, qrcode.constants.ERROR_CORRECT_M, qrcode.constants.ERROR_CORRECT_H):
        for text in texts:
            code = qrcode.QRCode(error_correction=level, border=0, mask_pattern=QR_MASK)
            code.add_data(text)
            code.make(fit=True)
            assert qr_matrix(text, level=level) == code.get_matrix(), (text, level)
