"""An invoice or credit note as a bilingual A4 PDF: Arabic first (right), English beside it (left).

Drawn on the shared shaped-Arabic base (forum.pdf.ShapedPDF: fpdf2 with HarfBuzz,
as the badges are), dates by forum.formatting (Hijri beside Gregorian), amounts
with Latin digits as accountants read them. The ZATCA QR is drawn as vectors.
A render reads the stored document only: it never writes.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from zoneinfo import ZoneInfo

from forum import fonts
from forum import formatting as fmt
from forum.pdf import ShapedPDF, qr_matrix

from .countries import rules_for
from .money import amount_display

A4 = (210.0, 297.0)
MARGIN = 14.0
INK = (24, 24, 27)
MUTED = (82, 82, 91)
ACCENT = (20, 83, 45)
RULE = (200, 200, 200)


def _local_date(invoice):
    return invoice.issued_at.astimezone(ZoneInfo(rules_for(invoice.seller_country).time_zone))


def _logo(invoice):
    logo = getattr(invoice.seller, "logo", None)
    if not logo:
        return None
    try:
        with logo.open("rb") as handle:
            return io.BytesIO(handle.read())
    except (OSError, ValueError):
        return None  # a missing file must not stop the invoice


def _family(text: str) -> str:
    """Naskh for anything with Arabic letters in it (names and addresses are often Arabic only)."""
    return "naskh" if any("\u0600" <= char <= "\u06ff" for char in text) else "sans"


# Parsed fonts kept for the life of the process: (family, style, path) -> (prototype TTFFont, file bytes).
_FONTS: dict[tuple[str, str, str], tuple[object, bytes]] = {}
# Noto Sans has 3,300 glyphs (Greek, Cyrillic, Vietnamese…), and fpdf2 subsets every embedded font per
# document: most of an invoice PDF's time went there (make bench-invoices, cProfile). An invoice whose text
# stays within these ranges (with Arabic drawn by Noto Naskh) is drawn with Noto Sans cut to them once per
# process, which subsets about three times faster; any other text gets the whole font.
LATIN_RANGES = ((0x20, 0x250), (0x2000, 0x2070), (0x20A0, 0x20D0), (0x2100, 0x2130))
_REDUCED: dict[str, Path] = {}
_COVERED: dict[str, frozenset[int]] = {}


def _reduced_latin(path: Path) -> Path:
    """Noto Sans cut to LATIN_RANGES (layout features kept), written once to the temporary directory."""
    import hashlib
    import os
    import tempfile

    from fontTools import subset as ftsubset
    from fontTools.ttLib import TTFont

    cached = _REDUCED.get(str(path))
    if cached is not None and cached.exists():
        return cached
    raw = path.read_bytes()
    digest = hashlib.sha256(raw + repr(LATIN_RANGES).encode()).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / "forum-invoice-fonts" / f"{path.stem}-{digest}.ttf"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        font = TTFont(io.BytesIO(raw), recalcTimestamp=False)
        options = ftsubset.Options(layout_features=["*"], name_IDs=["*"], notdef_outline=True, glyph_names=True,
                                   recommended_glyphs=True)
        subsetter = ftsubset.Subsetter(options)
        subsetter.populate(unicodes=[c for first, last in LATIN_RANGES for c in range(first, last)])
        subsetter.subset(font)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(str(partial))
        os.replace(partial, target)  # another process may write the same file: the last rename wins, same bytes
    _REDUCED[str(path)] = target
    return target


def _covered(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    if str(path) not in _COVERED:
        _COVERED[str(path)] = frozenset(TTFont(str(path), lazy=True).getBestCmap())
    return _COVERED[str(path)]


def _reduced_fonts_cover(texts) -> bool:
    """Whether every character of the document is drawn by Noto Naskh or by the reduced Noto Sans."""
    covered = _covered(fonts.arabic_font()) | _covered(_reduced_latin(fonts.latin_font()))
    return all(ord(char) in covered or char.isspace() for text in texts for char in str(text or ""))


def _font_clone(prototype, raw: bytes, index: int):
    """A document's own copy of a parsed font, modelled on fpdf2's TTFFont.__deepcopy__: what only reads
    (metrics, cmap, glyph ids, the HarfBuzz face) is shared; what a document changes is fresh: the subset
    of glyphs it uses and the fontTools font that the PDF output subsets in place (re-opened lazily from
    the bytes in memory, which reads only the table directory)."""
    from fontTools import ttLib
    from fpdf.fonts import SubsetMap, TTFFont

    font = TTFFont.__new__(TTFFont)
    for name in TTFFont.__slots__:
        if hasattr(prototype, name):
            setattr(font, name, getattr(prototype, name))
    font.i = index
    font.ttfont = ttLib.TTFont(io.BytesIO(raw), recalcTimestamp=False, lazy=True,
                               fontNumber=prototype.collection_font_number)
    font.cw = prototype.cw.copy()
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font._hbfont = prototype.hbfont
    font.subset = SubsetMap(font)
    return font


class InvoicePDF(ShapedPDF):
    """Parsing the four fonts was a third of an invoice PDF's time and subsetting Noto Sans most of the rest
    (make bench-invoices, cProfile): each process parses them once, every document takes a clone
    (`_font_clone`), and documents in Arabic and Latin script get the reduced Noto Sans."""

    width = A4[0] - 2 * MARGIN

    def __init__(self, page_size, *, latin_reduced: bool = False):
        self._latin_reduced = latin_reduced  # read by add_font, which ShapedPDF.__init__ calls
        super().__init__(page_size)

    def add_font(self, family=None, style="", fname=None, **kwargs):
        if kwargs or not family or fname is None:
            return super().add_font(family, style, fname, **kwargs)
        from fpdf.fonts import TTFFont

        if family == "sans" and getattr(self, "_latin_reduced", False):
            fname = _reduced_latin(Path(fname))
        key = (family, style, str(fname))
        cached = _FONTS.get(key)
        if cached is None:
            prototype = TTFFont(self, Path(fname), f"{family.lower()}{style}", style)
            if prototype.color_font is not None:  # not expected of Noto Naskh/Sans; keep fpdf2's own path then
                return super().add_font(family, style, fname)
            cached = _FONTS[key] = (prototype, Path(fname).read_bytes())
        self.fonts[f"{family.lower()}{''.join(sorted(style.upper()))}"] = _font_clone(*cached, len(self.fonts) + 1)
        return None

    def pair(self, ar: str, en: str, *, y: float, h: float = 5.5, size: float = 9.5, style: str = "",
             color=INK) -> float:
        """Arabic on the right half, right-aligned; English on the left half, left-aligned."""
        half = self.width / 2
        self.fit_line(ar, x=MARGIN + half, y=y, w=half, h=h, family="naskh", style=style, size=size, color=color,
                      align="R")
        self.fit_line(en, x=MARGIN, y=y, w=half, h=h, family=_family(en), style=style, size=size - 1, color=color,
                      align="L")
        return y + h

    def rule(self, y: float) -> None:
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(MARGIN, y, A4[0] - MARGIN, y)

    def section(self, ar: str, en: str, y: float) -> float:
        y = self.pair(ar, en, y=y + 2, h=6, size=11, style="B", color=ACCENT)
        self.rule(y)
        return y + 1.5


def _document_texts(invoice, lines) -> list:
    """Every free text a document prints (the fixed labels are Arabic and ASCII)."""
    texts = [invoice.number, invoice.reason, invoice.order_reference, invoice.seller_name_ar, invoice.seller_name_en,
             invoice.seller_vat_number, invoice.seller_cr_number, *invoice.seller_address.values(),
             invoice.buyer_name, invoice.buyer_name_en, invoice.buyer_vat_number, invoice.buyer_address,
             invoice.titles.ar, invoice.titles.en]
    for line in lines:
        texts += [line.description_ar, line.description_en]
    return texts


# Columns of the lines table, from the right (Arabic reading order): (Arabic head, English head, width mm).
COLUMNS = (
    ("الوصف", "Description", 58.0),
    ("الكمية", "Qty", 12.0),
    ("سعر الوحدة", "Unit price", 22.0),
    ("المبلغ الخاضع للضريبة", "Taxable amount", 26.0),
    ("نسبة الضريبة", "VAT rate", 18.0),
    ("مبلغ الضريبة", "VAT", 22.0),
)


def document_pdf(*, invoice) -> bytes:
    lines = list(invoice.lines.all())
    titles = invoice.titles
    currency = invoice.currency
    pdf = InvoicePDF(A4, latin_reduced=_reduced_fonts_cover(_document_texts(invoice, lines)))
    pdf.set_title(f"{titles.ar} {invoice.number}")
    pdf.add_page()
    y = MARGIN
    logo = _logo(invoice)
    if logo is not None:
        pdf.image(logo, x=A4[0] - MARGIN - 30, y=y, w=30, h=18, keep_aspect_ratio=True)
    pdf.fit_line(titles.ar, x=MARGIN, y=y, w=pdf.width, h=10, family="naskh", style="B", size=20, color=ACCENT)
    y += 10
    pdf.fit_line(titles.en, x=MARGIN, y=y, w=pdf.width, h=6, family="sans", style="B", size=12, color=MUTED)
    y += 10

    local = _local_date(invoice)
    day = local.date()
    clock = local.strftime("%H:%M")
    note = invoice.is_credit_note or invoice.is_debit_note
    label = "Credit note" if invoice.is_credit_note else "Debit note" if invoice.is_debit_note else "Invoice"
    y = pdf.pair(f"رقم الإشعار: {invoice.number}" if note else f"رقم الفاتورة: {invoice.number}",
                 f"{label} No.: {invoice.number}", y=y, style="B")
    y = pdf.pair(f"تاريخ الإصدار: {fmt.hijri_date(day, 'ar', 'latn')} — {fmt.gregorian_date(day, 'ar', 'latn')}"
                 f" {clock}",
                 f"Issue date: {fmt.gregorian_date(day, 'en')} ({fmt.hijri_date(day, 'en')}) {clock}", y=y)
    if note:
        y = pdf.pair(f"مرجع الفاتورة الأصلية: {invoice.related.number}",
                     f"Original invoice: {invoice.related.number}", y=y)
        if invoice.reverses_id:
            y = pdf.pair(f"الإشعار الدائن الملغى: {invoice.reverses.number}",
                         f"Credit note reversed: {invoice.reverses.number}", y=y)
        if invoice.reason:
            y = pdf.pair(f"سبب الإصدار: {invoice.reason}", f"Reason: {invoice.reason}", y=y)
    if invoice.replaces_id:
        y = pdf.pair(f"تحل محل الفاتورة: {invoice.replaces.number}", f"Replaces invoice: {invoice.replaces.number}",
                     y=y)
    if invoice.order_reference:
        y = pdf.pair(f"مرجع التسجيل: {invoice.order_reference}", f"Registration: {invoice.order_reference}", y=y)
    pdf.fit_line(f"UUID {invoice.uuid}", x=MARGIN, y=y, w=pdf.width, h=4.5, family="sans", size=7, color=MUTED)
    y += 5

    y = pdf.section("البائع", "Seller", y)
    address = invoice.seller_address
    y = pdf.pair(invoice.seller_name_ar, invoice.seller_name_en, y=y, style="B")
    y = pdf.pair(f"الرقم الضريبي: {invoice.seller_vat_number}", f"VAT No.: {invoice.seller_vat_number}", y=y)
    y = pdf.pair(f"السجل التجاري: {invoice.seller_cr_number}", f"CR No.: {invoice.seller_cr_number}", y=y)
    y = pdf.pair(
        f"العنوان: {address.get('building_number', '')} {address.get('street', '')}، {address.get('district', '')}،"
        f" {address.get('city', '')} {address.get('postal_code', '')}",
        f"Address: {address.get('building_number', '')} {address.get('street', '')}, {address.get('district', '')},"
        f" {address.get('city', '')} {address.get('postal_code', '')}", y=y,
    )

    y = pdf.section("المشتري", "Buyer", y)
    y = pdf.pair(invoice.buyer_name, invoice.buyer_name_en or invoice.buyer_name, y=y, style="B")
    if invoice.buyer_vat_number:
        y = pdf.pair(f"الرقم الضريبي: {invoice.buyer_vat_number}", f"VAT No.: {invoice.buyer_vat_number}", y=y)
    if invoice.buyer_address:
        y = pdf.pair(f"العنوان: {invoice.buyer_address}", f"Address: {invoice.buyer_address}", y=y)

    y = pdf.section("البنود", "Lines", y)
    total_width = sum(width for *_heads, width in COLUMNS)
    last_width = pdf.width - total_width  # the total column, leftmost
    columns = (*COLUMNS, ("الإجمالي", "Total", last_width))
    x = A4[0] - MARGIN
    for ar, en, width in columns:
        x -= width
        pdf.fit_line(ar, x=x, y=y, w=width, h=5, family="naskh", style="B", size=8.5)
        pdf.fit_line(en, x=x, y=y + 5, w=width, h=4, family="sans", size=6.5, color=MUTED)
    y += 10
    pdf.rule(y)
    for line in lines:
        values = (
            (line.description_ar, "naskh"),
            (str(line.quantity), "sans"),
            (amount_display(line.unit_price_minor, currency), "sans"),
            (amount_display(line.net_minor, currency), "sans"),
            (f"{line.vat_rate:g}%", "sans"),
            (amount_display(line.vat_minor, currency), "sans"),
            (amount_display(line.total_minor, currency), "sans"),
        )
        x = A4[0] - MARGIN
        for (text, family), (_ar, _en, width) in zip(values, columns, strict=True):
            x -= width
            pdf.fit_line(text, x=x, y=y + 1, w=width, h=6, family=family, size=9)
        if line.description_en:
            pdf.fit_line(line.description_en, x=A4[0] - MARGIN - COLUMNS[0][2], y=y + 7, w=COLUMNS[0][2], h=4,
                         family="sans", size=7, color=MUTED)
        y += 12
        pdf.rule(y)

    y += 3
    for ar, en, amount, style in (
        ("الإجمالي غير شامل ضريبة القيمة المضافة", "Total excluding VAT", invoice.net_minor, ""),
        ("إجمالي ضريبة القيمة المضافة", "Total VAT", invoice.vat_minor, ""),
        ("الإجمالي شامل ضريبة القيمة المضافة", "Total including VAT", invoice.total_minor, "B"),
    ):
        text = f"{amount_display(amount, currency)} {currency}"
        pdf.fit_line(f"{ar}: {fmt.CURRENCY_AR.get(currency, currency)} {amount_display(amount, currency)}",
                     x=MARGIN + pdf.width / 2, y=y, w=pdf.width / 2, h=6, family="naskh", style=style, size=10,
                     align="R")
        pdf.fit_line(f"{en}: {text}", x=MARGIN + 48, y=y, w=pdf.width / 2 - 48, h=6, family="sans", style=style,
                     size=9, align="L")
        y += 6.5

    qr_size = 40.0
    qr_y = max(y + 6, A4[1] - MARGIN - qr_size - 8)
    pdf.qr(qr_matrix(invoice.qr), x=MARGIN, y=qr_y, size=qr_size)
    pdf.fit_line("رمز الاستجابة السريعة وفق هيئة الزكاة والضريبة والجمارك", x=MARGIN + qr_size + 4, y=qr_y + 12,
                 w=pdf.width - qr_size - 4, h=6, family="naskh", size=9, color=MUTED, align="R")
    pdf.fit_line("ZATCA QR code (seller, VAT number, time, total, VAT)", x=MARGIN + qr_size + 4, y=qr_y + 18,
                 w=pdf.width - qr_size - 4, h=5, family="sans", size=7.5, color=MUTED, align="R")
    return bytes(pdf.output())


def qr_png_data_uri(text: str, *, box_size: int = 5) -> str:
    """The QR as a PNG data URI, for the attendee's page."""
    import qrcode

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=box_size)
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
