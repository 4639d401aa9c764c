"""Badges as PDF (one card, or many N-up on A4 with crop marks) and PNG.

Why fpdf2 with HarfBuzz (uharfbuzz) for the PDF, and not WeasyPrint/Pango or
ReportLab:

- Arabic needs shaping (letters join and take their initial/medial/final
  forms, lam-alef ligatures) and the bidirectional algorithm (right to left,
  with Latin and digits inside kept left to right). fpdf2's
  `set_text_shaping(True)` runs HarfBuzz, the shaper browsers use, plus the
  Unicode bidi algorithm, so «صاحب السمو الملكي» comes out joined and in the
  right order, not as reversed isolated letters (ReportLab alone cannot shape).
- It is pure Python plus one wheel (uharfbuzz): no Cairo/Pango/GDK system
  libraries as WeasyPrint needs, so `pip install` is the whole set-up, on CI
  and in the app image alike. The font is Noto Naskh Arabic from Debian's
  fonts-noto-core (forum.fonts), embedded as a subset.
- A badge is a fixed layout at exact millimetre sizes (CR80 card, A6), which
  is what fpdf2's coordinate API gives directly; there is no HTML to lay out.
- The QR code is drawn as vector rectangles (runs of dark modules), not as an
  image: it prints sharp at any size, and a sheet of 2,000 badges holds no
  per-badge images, which keeps bulk printing small and its memory low.

Bulk printing reads the registrations in chunks and writes the sheet in parts
of PART_BADGES badges, each part a finished fpdf2 document written to disk and
dropped before the next is composed (and collected at once: fpdf2's objects
are full of reference cycles, which would otherwise keep several finished
parts alive). The parts are then joined into one file by forum.pdfjoin, which
streams: it reads one part at a time, copies its objects (compressed page
contents, fonts) to the output with new object numbers and drops the part
before reading the next, keeping only page numbers and xref offsets. Neither
composing nor joining holds more than one part, so memory is flat in the size
of the sheet (benchmarks/checkin_badges.py: Python heap peak 14.6 MB for 500
badges and 14.6 MB for 2,000; process peak 164 MB for 2,000, 34 MB over the
130 MB there before printing, against 33 MB for 500). The price is that the
subset fonts are embedded once per part, some tens of kilobytes per
PART_BADGES badges.

The PNG (for phones and e-mail) is drawn with Pillow, whose raqm layout engine
(HarfBuzz + FriBiDi) shapes Arabic the same way.

Rendering writes nothing: it draws the faces (BadgeFace) it is given. Issuing the
badges they carry is the services' work (services.badge_pdf, badge_png,
badges_sheet_write), done before drawing.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import qrcode
from django.utils import translation

from forum import fonts
from forum.pdf import ShapedPDF, qr_matrix

from .models import BadgeSettings

# Sizes in millimetres, portrait.
SIZES = {BadgeSettings.Format.CR80: (54.0, 85.6), BadgeSettings.Format.A6: (105.0, 148.0)}
A4 = (210.0, 297.0)
PART_BADGES = 360  # badges per part of a bulk sheet (a multiple of 9 and of 2)
CROP_MARK = 4.0  # length of a crop mark, mm
CROP_GAP = 1.0  # distance between a mark and the card edge, mm


@dataclass(frozen=True)
class BadgeFace:
    """Everything printed on one badge, independent of the output format."""

    forum_title_ar: str
    forum_title_en: str
    titles_ar: str
    name_ar: str
    titles_en: str
    name_en: str
    position: str
    organization: str
    category_ar: str
    category_en: str
    color: str
    token: str
    reference: str

    @property
    def display_name_ar(self) -> str:
        return f"{self.titles_ar} {self.name_ar}".strip()

    @property
    def display_name_en(self) -> str:
        return f"{self.titles_en} {self.name_en}".strip() if self.name_en else ""


def badge_face(*, registration, badge) -> BadgeFace:
    from registration.models import RegistrationType

    person = registration.person
    position = registration.position or (person.position_ar if person else "")
    organization = registration.organization_name or (
        person.organization.name_ar if person and person.organization_id else ""
    )
    rtype = registration.registration_type
    with translation.override("ar"):
        category_ar = str(RegistrationType.Category(rtype.category).label)
    with translation.override("en"):
        category_en = str(RegistrationType.Category(rtype.category).label)
    forum = registration.forum
    return BadgeFace(
        forum_title_ar=forum.title_ar, forum_title_en=forum.title_en,
        titles_ar=registration.titles_ar, name_ar=registration.full_name_ar,
        titles_en=registration.titles_en, name_en=registration.full_name_en,
        position=position, organization=organization,
        category_ar=rtype.name_ar or category_ar, category_en=rtype.name_en or category_en,
        color=rtype.badge_color, token=badge.token, reference=registration.reference,
    )


def _rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def _text_on(color: str) -> tuple[int, int, int]:
    r, g, b = _rgb(color)
    return (0, 0, 0) if (0.299 * r + 0.587 * g + 0.114 * b) > 160 else (255, 255, 255)


# ---- PDF -----------------------------------------------------------------------


class BadgePDF(ShapedPDF):
    """A badge page or sheet: the shared shaped-Arabic PDF base (forum.pdf) plus the badge layout."""

    repeat_lines = True  # a sheet repeats the forum's title, categories and organizations on every card

    def __init__(self, page_size: tuple[float, float]):
        super().__init__(page_size)
        self._logo_cache: dict[int, object] = {}

    def badge(self, face: BadgeFace, *, x: float, y: float, w: float, h: float, logo=None) -> None:
        s = w / 54.0  # everything below is laid out for CR80 and scaled
        pad = 3 * s
        inner = w - 2 * pad
        self.set_draw_color(200, 200, 200)
        self.set_line_width(0.1)
        self.rect(x, y, w, h)
        top = y + 2.5 * s
        if logo is not None:
            self.image(logo, x=x + w / 2 - 5 * s, y=top, h=9 * s, keep_aspect_ratio=True, w=10 * s)
            top += 10 * s
        self.fit_line(face.forum_title_ar, x=x + pad, y=top, w=inner, h=4.5 * s, family="naskh", style="B",
                      size=8 * s, color=(20, 83, 45))
        top += 4.5 * s
        self.fit_line(face.forum_title_en, x=x + pad, y=top, w=inner, h=3 * s, family="sans", size=5 * s,
                      color=(82, 82, 91))
        top += 5 * s
        if face.titles_ar:
            self.fit_line(face.titles_ar, x=x + pad, y=top, w=inner, h=4.5 * s, family="naskh", size=8 * s)
            top += 4.5 * s
        self.fit_line(face.name_ar, x=x + pad, y=top, w=inner, h=6.5 * s, family="naskh", style="B", size=13 * s)
        top += 6.5 * s
        if face.display_name_en:
            self.fit_line(face.display_name_en, x=x + pad, y=top, w=inner, h=4 * s, family="sans", style="B",
                          size=7.5 * s)
            top += 4.5 * s
        if face.position:
            self.fit_line(face.position, x=x + pad, y=top, w=inner, h=3.8 * s, family="naskh", size=7 * s,
                          color=(60, 60, 60))
            top += 3.8 * s
        if face.organization:
            self.fit_line(face.organization, x=x + pad, y=top, w=inner, h=3.8 * s, family="naskh", size=7 * s,
                          color=(60, 60, 60))
            top += 3.8 * s
        band_h = 11 * s
        band_y = y + h - band_h
        qr_size = min(30 * s, band_y - top - 3 * s)
        self.qr(qr_matrix(face.token), x=x + (w - qr_size) / 2, y=band_y - qr_size - 2 * s, size=qr_size)
        self.set_fill_color(*_rgb(face.color))
        self.rect(x, band_y, w, band_h, style="F")
        ink = _text_on(face.color)
        self.fit_line(face.category_ar, x=x + pad, y=band_y + 0.5 * s, w=inner, h=5.5 * s, family="naskh",
                      style="B", size=10 * s, color=ink)
        self.fit_line(face.category_en.upper(), x=x + pad, y=band_y + 6 * s, w=inner, h=4 * s, family="sans",
                      style="B", size=6.5 * s, color=ink)

    def crop_marks(self, *, x: float, y: float, w: float, h: float) -> None:
        self.set_draw_color(0, 0, 0)
        self.set_line_width(0.15)
        g, m = CROP_GAP, CROP_MARK
        for cx in (x, x + w):
            for cy, direction in ((y, -1), (y + h, 1)):
                self.line(cx, cy + direction * g, cx, cy + direction * (g + m))  # vertical mark
        for cy in (y, y + h):
            for cx, direction in ((x, -1), (x + w, 1)):
                self.line(cx + direction * g, cy, cx + direction * (g + m), cy)  # horizontal mark


def forum_logo(forum):
    if not forum.logo:
        return None
    try:
        with forum.logo.open("rb") as handle:
            return io.BytesIO(handle.read())
    except (OSError, ValueError):
        return None  # a missing file must not stop the badges


def badge_pdf_draw(*, face: BadgeFace, paper_format: str, title: str, logo=None) -> bytes:
    """One badge, one page of the forum's badge size (CR80 card or A6)."""
    w, h = SIZES[paper_format]
    pdf = BadgePDF((w, h))
    pdf.set_title(title)
    pdf.add_page()
    pdf.badge(face, x=0, y=0, w=w, h=h, logo=logo)
    return bytes(pdf.output())


# ---- Bulk: N-up on A4 ----------------------------------------------------------


@dataclass(frozen=True)
class SheetLayout:
    page: tuple[float, float]  # width, height in mm, as printed
    columns: int
    rows: int
    card: tuple[float, float]
    gap: float = 2 * (CROP_GAP + CROP_MARK)

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def slot(self, index: int) -> tuple[float, float]:
        (pw, ph), (cw, chh) = self.page, self.card
        col, row = index % self.columns, index // self.columns
        left = (pw - self.columns * cw - (self.columns - 1) * self.gap) / 2
        top = (ph - self.rows * chh - (self.rows - 1) * self.gap) / 2
        return left + col * (cw + self.gap), top + row * (chh + self.gap)


def sheet_layout(paper_format: str) -> SheetLayout:
    """CR80: 9 cards (3 × 3) on A4 portrait. A6: 2 on A4 landscape, since 4-up leaves no room for crop marks."""
    if paper_format == BadgeSettings.Format.A6:
        return SheetLayout((A4[1], A4[0]), 2, 1, SIZES[paper_format])
    return SheetLayout(A4, 3, 3, SIZES[paper_format])


def badges_sheet_draw(*, faces: Iterable[BadgeFace], paper_format: str, title: str, out, logo=None,
                      progress: Callable[[int], None] | None = None) -> int:
    """Draw the faces N-up on A4 with crop marks into the binary file `out`; returns the number of badges.

    Parts of PART_BADGES badges are finished and written to disk one at a time
    and then joined part by part (forum.pdfjoin), so neither composing nor joining
    holds more than one part in memory.
    """
    import gc
    import tempfile

    from forum.pdfjoin import pdf_parts_join

    layout = sheet_layout(paper_format)
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        parts: list[str] = []
        pdf = None
        for face in faces:
            slot = count % layout.per_page
            if count % PART_BADGES == 0:
                if pdf is not None:
                    parts.append(_part_write(pdf, tmp, len(parts)))
                    pdf = None
                    gc.collect()  # an fpdf2 document is full of reference cycles: free the part now, not later
                pdf = BadgePDF(layout.page)
                pdf.set_title(title)
            if slot == 0:
                pdf.add_page()
            x, y = layout.slot(slot)
            if logo is not None:
                logo.seek(0)
            pdf.badge(face, x=x, y=y, w=layout.card[0], h=layout.card[1], logo=logo)
            pdf.crop_marks(x=x, y=y, w=layout.card[0], h=layout.card[1])
            count += 1
            if progress is not None and count % layout.per_page == 0:
                progress(count)
        if pdf is None:
            pdf = BadgePDF(layout.page)
            pdf.add_page()
        parts.append(_part_write(pdf, tmp, len(parts)))
        pdf = None
        gc.collect()
        pdf_parts_join(parts=parts, out=out)  # one part is copied as it is
    if progress is not None:
        progress(count)
    return count


def _part_write(pdf: BadgePDF, directory: str, number: int) -> str:
    import os

    path = os.path.join(directory, f"part-{number:05d}.pdf")
    pdf.output(path)
    return path


# ---- PNG -----------------------------------------------------------------------


def badge_png_draw(*, face: BadgeFace, paper_format: str, dpi: int = 300) -> bytes:
    """The badge as a PNG image at the forum's badge size (for phones and e-mail)."""
    from PIL import Image, ImageDraw, ImageFont

    w_mm, h_mm = SIZES[paper_format]
    px = dpi / 25.4
    W, H = round(w_mm * px), round(h_mm * px)
    s = w_mm / 54.0 * px  # pixels per CR80 millimetre
    image = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(image)

    def font(path, size_pt):
        return ImageFont.truetype(str(path), max(6, round(size_pt * 0.3528 * s)))

    def line(text, top, height_mm, path, size_pt, fill=(0, 0, 0)):
        if not text:
            return top
        f = font(path, size_pt)
        while size_pt > 5 and draw.textlength(text, font=f) > W - 6 * s:
            size_pt -= 0.5
            f = font(path, size_pt)
        draw.text((W / 2, top + height_mm * s / 2), text, font=f, fill=fill, anchor="mm")
        return top + height_mm * s

    arabic, arabic_bold = fonts.arabic_font(), fonts.arabic_font(bold=True)
    latin, latin_bold = fonts.latin_font(), fonts.latin_font(bold=True)
    top = 2.5 * s
    top = line(face.forum_title_ar, top, 4.5, arabic_bold, 8, (20, 83, 45))
    top = line(face.forum_title_en, top, 5, latin, 5, (82, 82, 91))
    top = line(face.titles_ar, top, 4.5, arabic, 8)
    top = line(face.name_ar, top, 6.5, arabic_bold, 13)
    top = line(face.display_name_en, top, 4.5, latin_bold, 7.5)
    top = line(face.position, top, 3.8, arabic, 7, (60, 60, 60))
    top = line(face.organization, top, 3.8, arabic, 7, (60, 60, 60))
    band_h = 11 * s
    band_y = H - band_h
    qr_size = int(min(30 * s, band_y - top - 3 * s))
    matrix = qr_matrix(face.token)
    n = len(matrix)
    qr = Image.new("1", (n, n), 1)
    qr.putdata([0 if cell else 1 for row in matrix for cell in row])
    qr = qr.resize((qr_size, qr_size), Image.NEAREST)
    image.paste(qr, (int((W - qr_size) / 2), int(band_y - qr_size - 2 * s)))
    draw.rectangle([0, band_y, W, H], fill=_rgb(face.color))
    ink = _text_on(face.color)
    line(face.category_ar, band_y + 0.5 * s, 5.5, arabic_bold, 10, ink)
    line(face.category_en.upper(), band_y + 6 * s, 4, latin_bold, 6.5, ink)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi))
    return buffer.getvalue()


def qr_png(token: str, *, box_size: int = 8) -> bytes:
    """Just the QR code (with its quiet zone), for the attendee's badge page."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=box_size)
    code.add_data(token)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()
