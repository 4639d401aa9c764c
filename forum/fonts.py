"""Where the fonts for PDFs (badges, proceedings, certificates) are.

Arabic needs a font with Arabic glyphs and a shaper (HarfBuzz through fpdf2's
text shaping); Debian's fonts-noto-core provides Noto Naskh Arabic and Noto
Sans, installed by `make` (see Makefile: deps-system).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SEARCH_DIRS = [Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/opentype/noto")]


def _find(filename: str, setting: str) -> Path:
    configured = getattr(settings, setting, "")
    if configured:
        return Path(configured)
    for directory in SEARCH_DIRS:
        candidate = directory / filename
        if candidate.exists():
            return candidate
    raise ImproperlyConfigured(
        f"Font {filename} not found; install Debian's fonts-noto-core or set {setting}."
    )


def arabic_font(bold: bool = False) -> Path:
    return _find("NotoNaskhArabic-Bold.ttf" if bold else "NotoNaskhArabic-Regular.ttf",
                 "PDF_FONT_ARABIC_BOLD" if bold else "PDF_FONT_ARABIC")


def latin_font(bold: bool = False) -> Path:
    return _find("NotoSans-Bold.ttf" if bold else "NotoSans-Regular.ttf",
                 "PDF_FONT_LATIN_BOLD" if bold else "PDF_FONT_LATIN")
