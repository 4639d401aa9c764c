"""The PDF base every document of the system is drawn with: fpdf2 with HarfBuzz-shaped Arabic.

Badges, invoices and certificates share it: the Noto Naskh Arabic and Noto Sans
fonts (forum.fonts) under the families "naskh" and "sans", Latin falling back
from Arabic, text shaping on (HarfBuzz joins and orders Arabic right to left),
a centred line shrunk to fit, and a QR code drawn as vector rectangles (runs of
dark modules), which prints sharp at any size and keeps files small. See
registration/badges/rendering.py for why fpdf2 and HarfBuzz.
"""

from __future__ import annotations

import re
from itertools import groupby

from fpdf import FPDF
from fpdf.enums import PDFResourceType

from . import fonts
from .qr import QR_MASK, qr_matrix  # noqa: F401  (the documents draw their QR codes through this module)

# A line as fpdf2 writes it: the font op when the font changed, then one self-contained text block.
_LINE_RE = re.compile(rb"\A(?:BT /F\d+ [\d.]+ Tf ET\n)?(q BT .*ET Q)\n\Z", re.S)
_FONT_RE = re.compile(rb"/F(\d+) ")


class ShapedPDF(FPDF):
    # With repeat_lines, a line drawn again in the same document (same text, font, box and colour,
    # elsewhere on a page) is not shaped and measured again: the operators fpdf2 wrote for it the
    # first time are written again, moved to the new place. A sheet of badges repeats most of its
    # lines (forum title, category, organization) on every card, and shaping them with HarfBuzz
    # and the bidi algorithm was half of its time. The glyphs are already in this document's font
    # subsets; each font the line uses is named on the page it lands on.
    repeat_lines = False

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
        self._drawn_lines: dict[tuple, tuple] = {}

    def fit_line(self, text: str, *, x: float, y: float, w: float, h: float, family: str, style: str = "",
                 size: float = 10, min_size: float = 5, color=(0, 0, 0), align: str = "C") -> None:
        """One line (centred unless told), shrunk to fit the width."""
        if not text:
            return
        key = (text, family, style, size, min_size, w, h, tuple(color), align) if self.repeat_lines else None
        drawn = self._drawn_lines.get(key) if key else None
        if drawn is not None:
            self._line_again(drawn, x=x, y=y, w=w, family=family, style=style, color=color)
            return
        self.set_font(family, style, size)
        if self.repeat_lines:
            # A shaped line's width is proportional to the font size: measured (shaped) once.
            width, first = self.get_string_width(text), size
            while size > min_size and width * size / first > w - 1:
                size -= 0.5
            self.set_font(family, style, size)
        else:
            while size > min_size and self.get_string_width(text) > w - 1:
                size -= 0.5
                self.set_font(family, style, size)
        self.set_text_color(*color)
        self.set_xy(x, y)
        contents = self.pages[self.page].contents
        start = len(contents)
        self.cell(w, h, text, align=align)
        if key:
            match = _LINE_RE.match(bytes(contents[start:]))
            if match and match.group(1).count(b"ET Q") == 1:
                fonts = tuple(int(n) for n in set(_FONT_RE.findall(match.group(1))))
                self._drawn_lines[key] = (size, x, y, match.group(1), fonts)

    def _line_again(self, drawn: tuple, *, x: float, y: float, w: float, family: str, style: str, color) -> None:
        size, x0, y0, block, fonts = drawn
        self.set_font(family, style, size)
        self.set_text_color(*color)
        if not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        for number in fonts:
            self._resource_catalog.add(PDFResourceType.FONT, number, self.page)
        # The block as it was first written, moved (PDF's y axis points up).
        self._out(b"q 1 0 0 1 %.2f %.2f cm " % ((x - x0) * self.k, (y0 - y) * self.k) + block + b" Q")
        self.set_xy(x + w, y)  # where fpdf2 leaves the cursor after a cell

    def qr(self, matrix: list[list[bool]], *, x: float, y: float, size: float) -> None:
        """The dark modules as filled rectangles, a run of them one rectangle, all in one path: the
        operators fpdf2's rect() would write, without its per-call bookkeeping."""
        k, page_h = self.k, self.h
        module = size / len(matrix) * k
        left, top = x * k, (page_h - y) * k
        self.set_fill_color(0, 0, 0)
        ops = []
        for row_index, row in enumerate(matrix):
            col = 0
            row_y = top - row_index * module
            for dark, run in groupby(row):
                length = len(tuple(run))
                if dark:
                    ops.append(f"{left + col * module:.2f} {row_y:.2f} {length * module:.2f} {-module:.2f} re")
                col += length
        if ops:
            ops.append("f")
            self._out("\n".join(ops))
