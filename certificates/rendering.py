"""Certificates as PDF: A4 landscape, Arabic above English, the QR code and short code in a corner.

Drawn with the badges' fpdf2 document class (registration.badges.rendering.BadgePDF): the same embedded
Noto fonts, HarfBuzz shaping of Arabic, single lines that shrink to fit (a long name gets smaller, never
wraps or overflows), and the QR code drawn as vector rectangles. A design may put an image behind the
page (drawn by fpdf2) or a PDF page (laid under each finished page with pypdf).

Bulk printing follows the bulk badge sheet: certificates are composed in parts of PART_CERTIFICATES
pages, each part written to disk and dropped before the next, and the parts are joined by the streaming
joiner, so memory stays flat whatever the number of certificates.

What a certificate costs, and why (benchmarks/certificates.py, `make bench-certificates`): everything
the certificates of a batch share (frame, logos, titles, reason, forum, dates, hours, signatories) is
drawn once per part and its operators replayed on each page, so per certificate only the holder is laid
out: the Arabic name, shaped by HarfBuzz (the one line that needs fpdf2's full text layout, as in the
bare fpdf2 loop the benchmark compares with); the English name and the short code, written as plain text
operators when the font has every letter (`_plain_line`); and the QR code, made from a layout computed
once per QR version (forum.qr) and drawn as one path in module units.
"""

from __future__ import annotations

import gc
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from fpdf.enums import PDFResourceType

from forum.formatting import digits_for, dual_range, gregorian_date, hijri_date
from forum.models import HONORIFIC_AR, HONORIFIC_EN
from forum.pdfjoin import pdf_parts_join
from forum.qr import QRLayout, qr_layout
from registration.badges.rendering import BadgePDF

from .models import Certificate, CertificateDesign, Kind

PAGE = (297.0, 210.0)  # A4 landscape, mm
PART_CERTIFICATES = 500
QR_SIZE = 30.0
QR_X, QR_Y = 20.0, PAGE[1] - 20 - QR_SIZE - 8
_NUMBERS = [str(n) for n in range(178)]  # module positions and lengths: a version 40 code is 177 modules wide
_ARABIC = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def _needs_shaping(text: str) -> bool:
    return bool(_ARABIC.search(text))

TITLES = {
    Kind.ATTENDANCE: ("شهادة حضور", "Certificate of Attendance"),
    Kind.APPRECIATION: ("شهادة شكر وتقدير", "Certificate of Appreciation"),
    Kind.PARTICIPATION: ("شهادة مشاركة", "Certificate of Participation"),
    Kind.AWARD: ("شهادة تميّز", "Certificate of Excellence"),
}
STATEMENT = ("تُمنح هذه الشهادة إلى", "This certificate is presented to")
REASONS = {
    Kind.ATTENDANCE: ("لحضور فعاليات", "for attending"),
    Kind.APPRECIATION: ("تقديرًا للمشاركة", "in appreciation of taking part"),
    Kind.PARTICIPATION: ("تقديرًا للمشاركة", "in appreciation of contributing"),
    Kind.AWARD: ("تقديرًا للفوز", "in recognition of winning"),
}
GOLD = (161, 124, 44)
GREY = (70, 70, 70)


@dataclass
class Signer:
    titles_ar: str
    name_ar: str
    name_en: str
    title_ar: str
    title_en: str
    signature: bytes | None = None


@dataclass
class Look:
    """A design resolved once per document: texts, colour, images as bytes, signatories."""

    kind: str
    title_ar: str
    title_en: str
    statement_ar: str
    statement_en: str
    accent: tuple[int, int, int]
    background_image: bytes | None = None
    background_pdf: bytes | None = None
    logos: list[bytes] = field(default_factory=list)
    signers: list[Signer] = field(default_factory=list)


def _read(file_field) -> bytes | None:
    if not file_field:
        return None
    try:
        with file_field.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError):
        return None  # a missing file must not stop the certificates


def _rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return int(color[0:2], 16), int(color[2:4], 16), int(color[4:6], 16)


def look_for(*, forum, kind: str, design: CertificateDesign | None = None) -> Look:
    """The design of this forum and kind, or the dignified default. Reads its files once."""
    if design is None:
        design = (CertificateDesign.objects.filter(forum=forum, kind=kind).prefetch_related("signatories").first())
    title_ar, title_en = TITLES[kind]
    look = Look(kind=kind, title_ar=title_ar, title_en=title_en, statement_ar=STATEMENT[0],
                statement_en=STATEMENT[1], accent=(20, 83, 45))
    organizer = forum.organizer if forum.organizer_id else None
    if design is not None:
        look.title_ar = design.title_ar or title_ar
        look.title_en = design.title_en or title_en
        look.statement_ar = design.statement_ar or STATEMENT[0]
        look.statement_en = design.statement_en or STATEMENT[1]
        look.accent = _rgb(design.accent_color)
        if design.background_kind == CertificateDesign.Background.IMAGE:
            look.background_image = _read(design.background)
        elif design.background_kind == CertificateDesign.Background.PDF:
            look.background_pdf = _read(design.background)
        for s in list(design.signatories.all())[:3]:
            look.signers.append(Signer(HONORIFIC_AR.get(s.honorific, ""), s.name_ar, (
                f"{HONORIFIC_EN.get(s.honorific, '')} {s.name_en or s.name_ar}".strip()), s.title_ar,
                s.title_en, _read(s.signature)))
    if design is None or design.show_logos:
        look.logos = [b for b in (_read(forum.logo), _read(organizer.logo) if organizer else None) if b]
    return look


def verification_url(code: str) -> str:
    with translation.override("ar"):
        return f"{settings.SITE_URL}{reverse('certificates:verify', args=[code])}"


_URL_SAFE_CODE = re.compile(r"[A-Za-z0-9_-]+")
_CODE_MARK = "CODEMARK0"


def verification_url_maker() -> Callable[[str], str]:
    """verification_url for many codes: the address is reversed once and each code put in its place (the
    same text, as long as the code needs no escaping in a URL; other codes go through verification_url)."""
    prefix, suffix = verification_url(_CODE_MARK).rsplit(_CODE_MARK, 1)

    def url(code: str) -> str:
        return f"{prefix}{code}{suffix}" if _URL_SAFE_CODE.fullmatch(code) else verification_url(code)

    return url


def _hours_text(hours: Decimal | None) -> tuple[str, str]:
    if not hours:
        return "", ""
    value = f"{hours.normalize():f}"
    return f"عدد الساعات التدريبية: {digits_for(value, 'arab')}", f"Training hours: {value}"


class CertificatePDF(BadgePDF):
    def __init__(self):
        super().__init__(PAGE)
        self._shaping = self.text_shaping
        self._layers: dict[tuple, tuple[bytes, dict]] = {}
        self._qr_layout: QRLayout | None = None
        self._verification_url = verification_url_maker()

    def _image(self, data: bytes, **kwargs) -> None:
        buffer = io.BytesIO(data)  # fpdf2 keeps one copy of an image per document, found by its content
        self.image(buffer, **kwargs)

    def frame(self, look: Look) -> None:
        w, h = PAGE
        if look.background_image:
            self._image(look.background_image, x=0, y=0, w=w, h=h)
            return
        if look.background_pdf:
            return  # laid under the finished page
        self.set_draw_color(*look.accent)
        self.set_line_width(2.2)
        self.rect(8, 8, w - 16, h - 16)
        self.set_draw_color(*GOLD)
        self.set_line_width(0.6)
        self.rect(12, 12, w - 24, h - 24)
        self.set_fill_color(*GOLD)
        for cx, cy in ((12, 12), (w - 12, 12), (12, h - 12), (w - 12, h - 12)):
            self.rect(cx - 2.5, cy - 2.5, 5, 5, style="F")

    def certificate(self, cert: Certificate, look: Look, *, forum_lines: tuple[str, str, str, str]) -> None:
        """One page: the layer every certificate of the batch shares, then the holder's name, code and QR.

        The shared layer (frame, logos, titles, reason, forum, dates, hours, signatories) is drawn once per
        document and kind of content, inside its own graphics state (q … Q), and its page operators are
        replayed on the following pages: Arabic is shaped once per document instead of once per page.
        """
        self.add_page()
        reason_ar, reason_en = REASONS[cert.kind]
        if cert.role_ar:
            reason_ar = f"{reason_ar} {cert.role_ar}"
        if cert.role_en:
            reason_en = f"{reason_en} {cert.role_en}"
        issued = timezone.localdate(cert.issued_at) if cert.issued_at else timezone.localdate()
        key = (id(look), forum_lines, reason_ar, reason_en, cert.hours, issued)
        cached = self._layers.get(key)
        contents = self.pages[self.page].contents
        if cached is None:
            start = len(contents)
            with self.local_context():
                self.shared_layer(look, forum_lines, reason_ar, reason_en, cert.hours, issued)
            catalog = self._resource_catalog.resources_per_page
            resources = {rtype: set(found) for (page, rtype), found in catalog.items() if page == self.page}
            if len(self._layers) < 64:  # a batch of speakers has as many reasons as roles: keep the first few
                self._layers[key] = (bytes(contents[start:]), resources)
        else:
            operators, resources = cached
            contents.extend(operators)
            for rtype, found in resources.items():
                self._resource_catalog.resources_per_page[(self.page, rtype)].update(found)
        self.holder_layer(cert)

    def shared_layer(self, look: Look, forum_lines, reason_ar: str, reason_en: str, hours, issued) -> None:
        w, _h = PAGE
        self.frame(look)
        if look.logos:
            self._image(look.logos[0], x=w - 20 - 26, y=17, h=20, w=26, keep_aspect_ratio=True)
            if len(look.logos) > 1:
                self._image(look.logos[1], x=20, y=17, h=20, w=26, keep_aspect_ratio=True)
        inner_x, inner_w = 50, w - 100
        self.fit_line(look.title_ar, x=inner_x, y=20, w=inner_w, h=14, family="naskh", style="B", size=30,
                      color=look.accent)
        self.fit_line(look.title_en, x=inner_x, y=35, w=inner_w, h=7, family="sans", style="B", size=14,
                      color=GOLD)
        self.fit_line(look.statement_ar, x=inner_x, y=47, w=inner_w, h=8, family="naskh", size=15, color=GREY)
        self.fit_line(look.statement_en, x=inner_x, y=55, w=inner_w, h=5, family="sans", size=9, color=GREY)
        self.fit_line(reason_ar, x=25, y=90, w=w - 50, h=9, family="naskh", size=15, min_size=8)
        self.fit_line(reason_en, x=25, y=99, w=w - 50, h=5, family="sans", size=9, min_size=5, color=GREY)
        title_ar, title_en, dates_ar, dates_en = forum_lines
        self.fit_line(title_ar, x=25, y=106, w=w - 50, h=10, family="naskh", style="B", size=17, min_size=9,
                      color=look.accent)
        self.fit_line(title_en, x=25, y=116, w=w - 50, h=5, family="sans", style="B", size=9.5, min_size=5,
                      color=look.accent)
        self.fit_line(dates_ar, x=25, y=122, w=w - 50, h=7, family="naskh", size=11.5, min_size=7, color=GREY)
        self.fit_line(dates_en, x=25, y=129, w=w - 50, h=5, family="sans", size=8, min_size=5, color=GREY)
        hours_ar, hours_en = _hours_text(hours)
        if hours_ar:
            self.fit_line(hours_ar, x=w / 2, y=135, w=w / 2 - 25, h=6, family="naskh", style="B", size=11.5,
                          min_size=7)
            self.fit_line(hours_en, x=25, y=135, w=w / 2 - 25, h=6, family="sans", style="B", size=9, min_size=6)
        if issued is not None:
            issued_ar, issued_en = issue_date_lines(issued)
            self.fit_line(f"تاريخ الإصدار: {issued_ar}", x=25, y=141, w=w - 50, h=5.5, family="naskh", size=9,
                          min_size=6, color=GREY)
            self.fit_line(f"Issued {issued_en}", x=25, y=146.5, w=w - 50, h=4, family="sans", size=7, min_size=5,
                          color=GREY)
        self.signers(look.signers)
        _w, h = PAGE
        self.set_fill_color(255, 255, 255)  # the QR code's quiet zone, also over a background
        self.rect(QR_X - 2, QR_Y - 2, QR_SIZE + 4, QR_SIZE + 4, style="F")
        self.fit_line("للتحقق امسح الرمز — Scan to verify", x=QR_X - 8, y=QR_Y + QR_SIZE + 5, w=QR_SIZE + 16,
                      h=3.5, family="naskh", size=6, min_size=4, color=GREY)

    def holder_layer(self, cert: Certificate) -> None:
        """The holder, honorific before the name (long names shrink to fit the line), the code and the QR."""
        w, _h = PAGE
        self.fit_line(cert.display_name_ar, x=30, y=62, w=w - 60, h=15, family="naskh", style="B", size=28,
                      min_size=12, color=(0, 0, 0))
        self.fit_line(cert.display_name_en, x=30, y=78, w=w - 60, h=8, family="sans", style="B", size=15,
                      min_size=7, color=(0, 0, 0))
        self.fit_line(cert.short_code, x=QR_X - 8, y=QR_Y + QR_SIZE + 1.5, w=QR_SIZE + 16, h=3.5, family="sans",
                      size=6.5, min_size=4, color=(0, 0, 0))
        self.qr_operators(self._qr(self._verification_url(cert.code)), x=QR_X, y=QR_Y, size=QR_SIZE)

    def fit_line(self, text: str, *, x: float, y: float, w: float, h: float, family: str, style: str = "",
                 size: float = 10, min_size: float = 5, color=(0, 0, 0)) -> None:
        """One centred line shrunk to fit the width: measured once, scaled (width grows with the size).

        Text without Arabic is laid out without the shaper, which it does not need, and text whose every
        letter the font has is laid out without looking for each letter in the fallback font: fpdf2 then takes
        the line as one piece instead of letter by letter, most of the cost of a short line.
        """
        if not text:
            return
        shaping = _needs_shaping(text)
        self.text_shaping = None
        fallback = self._fallback_font_ids
        try:
            self.set_font(family, style, size)
            cmap = self.current_font.cmap
            if all(ord(letter) in cmap for letter in text):
                if not shaping:
                    self._plain_line(text, x=x, y=y, w=w, h=h, size=size, min_size=min_size, color=color)
                    return
                self._fallback_font_ids = []
            width = self.get_string_width(text)
            if shaping:
                # Unshaped, Arabic letters stand in their isolated forms, wider than joined: a line that fits
                # so fits once shaped, and only a longer one is measured shaped (the shaper is the slow part).
                self.text_shaping = self._shaping
                if width > w - 1:
                    width = self.get_string_width(text)
            if width > w - 1:
                size = max(min_size, int(size * (w - 1) / width * 2) / 2)
                self.set_font(family, style, size)
            self.set_text_color(*color)
            self.set_xy(x, y)
            self.cell(w, h, text, align="C")
        finally:
            self.text_shaping = self._shaping
            self._fallback_font_ids = fallback

    def _plain_line(self, text: str, *, x: float, y: float, w: float, h: float, size: float, min_size: float,
                    color) -> None:
        """A centred line of the current font needing neither shaping nor a fallback font (Latin names, codes),
        written as one text object: its width is the sum of its glyphs' advances, its glyphs are taken into the
        font's subset as fpdf2 does, and it sits where fpdf2's cell would put it. Inside q … Q, so fpdf2's own
        idea of the page's font and colour stays true; about a quarter of the cost of a cell."""
        font = self.current_font
        advances = font.cw
        units = sum(advances[ord(letter)] for letter in text)  # thousandths of the font size
        width = units * size * 0.001 / self.k
        if width > w - 1:
            size = max(min_size, int(size * (w - 1) / width * 2) / 2)
            width = units * size * 0.001 / self.k
        pick = font.subset.pick
        glyphs = font.escape_text("".join(chr(pick(ord(letter))) for letter in text))
        k = self.k
        r, g, b = color
        self._out(f"q BT {r / 255:.3f} {g / 255:.3f} {b / 255:.3f} rg /F{font.i} {size:.2f} Tf "
                  f"{(x + (w - width) / 2) * k:.2f} {(self.h - y - 0.5 * h - 0.3 * size / k) * k:.2f} Td "
                  f"({glyphs}) Tj ET Q")
        self._resource_catalog.add(PDFResourceType.FONT, font.i, self.page)

    def _qr(self, data: str) -> list[str]:
        """The QR code's rows ("1" dark). Every code of a batch is as long, so its layout (version, function
        patterns, module order, error correction tables) is made once and then reused (forum.qr)."""
        rows = self._qr_layout.rows(data) if self._qr_layout is not None else None
        if rows is None:  # the first code, or a longer one than those before
            self._qr_layout = qr_layout(data)
            rows = self._qr_layout.rows(data)
        return rows

    def qr_operators(self, rows: list[str], *, x: float, y: float, size: float) -> None:
        """The QR code as one path of rectangles (runs of dark modules) written straight to the page.

        The path is drawn in module units (a `cm` scales one module to its size and flips the y axis), so
        each run is four small integers: quicker to write and shorter than millimetres in points.
        """
        module = size / len(rows) * self.k
        parts = [f"q 0 g {module:.4f} 0 0 {-module:.4f} {x * self.k:.2f} {(self.h - y) * self.k:.2f} cm"]
        append = parts.append
        numbers = _NUMBERS
        for index, row in enumerate(rows):
            middle = f" {index} "
            start = 0
            for run in row.split("0"):  # the dark runs, and where each starts (split is quicker than a regex)
                if run:
                    append(numbers[start] + middle + numbers[len(run)] + " 1 re")
                start += len(run) + 1
        append("f Q")
        self._out(" ".join(parts))

    def signers(self, signers: list[Signer]) -> None:
        if not signers:
            return
        w, _h = PAGE
        left, right = 62, w - 22  # the QR code keeps the left corner
        column = (right - left) / len(signers)
        for index, s in enumerate(signers):
            x = right - (index + 1) * column  # first signatory on the right, as Arabic reads
            if s.signature:
                self._image(s.signature, x=x + column / 2 - 17, y=151, w=34, h=10.5, keep_aspect_ratio=True)
            self.set_draw_color(*GREY)
            self.set_line_width(0.2)
            self.line(x + 10, 162, x + column - 10, 162)
            self.fit_line(s.title_ar, x=x + 2, y=163, w=column - 4, h=6, family="naskh", size=10, min_size=6,
                          color=GREY)
            self.fit_line(f"{s.titles_ar} {s.name_ar}".strip(), x=x + 2, y=169, w=column - 4, h=7, family="naskh",
                          style="B", size=12, min_size=6)
            self.fit_line(s.name_en, x=x + 2, y=176, w=column - 4, h=4.5, family="sans", size=7.5, min_size=5)
            self.fit_line(s.title_en, x=x + 2, y=180.5, w=column - 4, h=4, family="sans", size=6.5, min_size=4.5,
                          color=GREY)


def forum_lines(forum) -> tuple[str, str, str, str]:
    """The forum's title and dates (Hijri beside Gregorian), as printed on every certificate of it."""
    return (forum.title_ar, forum.title_en or forum.title_ar, dual_range(forum.first_day, forum.last_day, "ar"),
            dual_range(forum.first_day, forum.last_day, "en"))


def issue_date_lines(day) -> tuple[str, str]:
    return (f"{hijri_date(day, 'ar')} — {gregorian_date(day, 'ar')}", f"{gregorian_date(day, 'en')}")


def _under_pdf_background(path: str, background: bytes) -> None:
    """Lay the design's PDF page under every page of a finished part (scaled to A4 landscape)."""
    from pypdf import PdfReader, PdfWriter, Transformation

    back = PdfReader(io.BytesIO(background)).pages[0]
    bw, bh = float(back.mediabox.width), float(back.mediabox.height)
    reader = PdfReader(path)
    writer = PdfWriter()
    for page in reader.pages:
        pw, ph = float(page.mediabox.width), float(page.mediabox.height)
        blank = writer.add_blank_page(width=pw, height=ph)
        blank.merge_transformed_page(back, Transformation().scale(pw / bw, ph / bh))
        blank.merge_page(page)
    with open(path, "wb") as handle:
        writer.write(handle)


def _part_write(pdf: CertificatePDF, look: Look, directory: str, number: int) -> str:
    path = os.path.join(directory, f"part-{number:05d}.pdf")
    pdf.output(path)
    if look.background_pdf:
        _under_pdf_background(path, look.background_pdf)
    return path


def certificates_write(*, forum, certificates: Iterable[Certificate], out, look_of: Callable[[str], Look],
                       progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Write the certificates, one page each, to the binary file `out`; returns (pages, parts).

    `look_of(kind)` gives the design of each kind (resolved once by the caller). `progress(done, parts)` is
    called after every part.
    """
    lines = forum_lines(forum)
    # What the process held before (Django, the app) will outlive the batch: the collections run after each
    # part (fpdf2 and pypdf objects are full of cycles) then look only at what the batch made.
    gc.freeze()
    try:
        return _write(forum, certificates, out, look_of, progress, lines)
    finally:
        gc.unfreeze()


def _write(forum, certificates, out, look_of, progress, lines) -> tuple[int, int]:
    count = 0
    with tempfile.TemporaryDirectory() as tmp:
        parts: list[str] = []
        pdf = None
        look = None
        for cert in certificates:
            cert_look = look_of(cert.kind)
            if pdf is not None and (count % PART_CERTIFICATES == 0 or cert_look is not look):
                parts.append(_part_write(pdf, look, tmp, len(parts)))
                pdf = None
                gc.collect()  # fpdf2 documents are full of reference cycles: free the part now
                if progress is not None:
                    progress(count, len(parts))
            if pdf is None:
                pdf = CertificatePDF()
                pdf.set_title(forum.title_ar)
            look = cert_look
            pdf.certificate(cert, look, forum_lines=lines)
            count += 1
        if pdf is None:
            raise ValueError("no certificates to print")
        parts.append(_part_write(pdf, look, tmp, len(parts)))
        pdf = None
        gc.collect()
        pdf_parts_join(parts=parts, out=out)  # one part is copied as it is
    if progress is not None:
        progress(count, len(parts))
    return count, len(parts)


def certificate_pdf(*, certificate: Certificate, look: Look | None = None) -> bytes:
    """One certificate as a one-page PDF."""
    forum = certificate.forum
    look = look or look_for(forum=forum, kind=certificate.kind)
    pdf = CertificatePDF()
    pdf.set_title(f"{certificate.name_ar} — {forum.title_ar}")
    pdf.certificate(certificate, look, forum_lines=forum_lines(forum))
    data = bytes(pdf.output())
    if look.background_pdf:
        with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as handle:
            handle.write(data)
        try:
            _under_pdf_background(handle.name, look.background_pdf)
            with open(handle.name, "rb") as result:
                data = result.read()
        finally:
            os.unlink(handle.name)
    return data
