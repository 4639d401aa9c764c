"""The PDF base every document of the system is drawn with: fpdf2 with HarfBuzz-shaped Arabic.

Badges, invoices and certificates share it: the Noto Naskh Arabic and Noto Sans
fonts (forum.fonts) under the families "naskh" and "sans", Latin falling back
from Arabic, text shaping on (HarfBuzz joins and orders Arabic right to left),
a centred line shrunk to fit, and a QR code drawn as vector rectangles (runs of
dark modules), which prints sharp at any size and keeps files small. See
registration/badges/rendering.py for why fpdf2 and HarfBuzz.
"""

from __future__ import annotations

import qrcode
from fpdf import FPDF

from . import fonts

QR_MASK = 2  # vertical stripes mask (see qr_matrix)


def qr_matrix(text: str, *, level=qrcode.constants.ERROR_CORRECT_M) -> list[list[bool]]:
    """The QR modules (no quiet zone). Level M: still reads with a scratch or a thumb over a corner.

    The mask pattern is fixed: any of the eight is valid for readers, and trying
    all eight to pick the "best" one is most of the cost of making a QR code.
    """
    code = qrcode.QRCode(error_correction=level, border=0, mask_pattern=QR_MASK)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


class ShapedPDF(FPDF):
    def __init__(self, page_size: tuple[float, float] | str):
        # fpdf2 takes a (width, height) format as it is; passing "L" as well would swap it back.
        super().__init__(unit="mm", format=page_size)
        self.set_auto_page_break(False)
        self.set_margins(0, 0, 0)
        self.c_margin = 0.5
        self.add_font("naskh", "", str(fonts.arabic_font()))
        self.add_font("naskh", "B", str(fonts.arabic_font(bold=True)))
        self.add_font("sans", "", str(fonts.latin_font()))
        self.add_font("sans", "B", str(fonts.latin_font(bold=True)))
        self.set_fallback_fonts(["sans"], exact_match=False)
        self.set_text_shaping(True)
        self.set_creator("Quality and Excellence Forums")

    def fit_line(self, text: str, *, x: float, y: float, w: float, h: float, family: str, style: str = "",
                 size: float = 10, min_size: float = 5, color=(0, 0, 0), align: str = "C") -> None:
        """One line (centred unless told), shrunk to fit the width."""
        if not text:
            return
        self.set_font(family, style, size)
        while size > min_size and self.get_string_width(text) > w - 1:
            size -= 0.5
            self.set_font(family, style, size)
        self.set_text_color(*color)
        self.set_xy(x, y)
        self.cell(w, h, text, align=align)

    def qr(self, matrix: list[list[bool]], *, x: float, y: float, size: float) -> None:
        n = len(matrix)
        module = size / n
        self.set_fill_color(0, 0, 0)
        for row_index, row in enumerate(matrix):
            col = 0
            while col < n:
                if row[col]:
                    start = col
                    while col < n and row[col]:
                        col += 1
                    self.rect(x + start * module, y + row_index * module, (col - start) * module, module, style="F")
                else:
                    col += 1
