"""Charts drawn on the server as SVG: they show without JavaScript and print as they are.

A horizontal bar per option, labels on the reading side (right in Arabic),
each bar carrying its count and share so the numbers can be read (and
checked) in the markup itself.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 480
ROW = 30
LABEL = 170
FIGURES = 90
COLOR = "#14532d"
TRACK = "#e7ece6"


def share(count: int, total: int) -> int:
    """Whole percent, rounded half up (7 of 9 -> 78)."""
    return (count * 200 + total) // (total * 2) if total else 0


def bar_chart(rows: list[tuple[str, int]], *, title: str, rtl: bool = True) -> SafeString:
    total = sum(count for _label, count in rows)
    peak = max((count for _label, count in rows), default=0)
    span = WIDTH - LABEL - FIGURES
    height = ROW * len(rows) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" data-total="{total}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, count) in enumerate(rows):
        y = 4 + index * ROW
        length = round(span * count / peak, 1) if peak else 0
        percent = share(count, total)
        if rtl:
            label_x, anchor, bar_x, figures_x = WIDTH - 4, "end", WIDTH - LABEL - length, WIDTH - LABEL - span - 6
            track_x = WIDTH - LABEL - span
        else:
            label_x, anchor, bar_x, figures_x = 4, "start", LABEL, LABEL + span + 6
            track_x = LABEL
        figures_anchor = "end" if rtl else "start"
        parts.append(
            f'<g class="chart__row" data-label="{escape(label)}" data-count="{count}" data-percent="{percent}">'
            f'<text x="{label_x}" y="{y + 19}" text-anchor="{anchor}" font-size="13">{escape(label)}</text>'
            f'<rect x="{track_x}" y="{y + 5}" width="{span}" height="18" fill="{TRACK}"/>'
            f'<rect class="chart__bar" x="{bar_x}" y="{y + 5}" width="{length}" height="18" fill="{COLOR}"/>'
            f'<text x="{figures_x}" y="{y + 19}" text-anchor="{figures_anchor}" font-size="13" direction="ltr">'
            f"{count} ({percent}%)</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))
