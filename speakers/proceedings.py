"""The proceedings book: a cover, a table of contents by session, then every paper's PDF.

The cover and contents are drawn with fpdf2 (HarfBuzz text shaping, so Arabic
letters join and lines run right to left) in Noto Naskh Arabic, with Noto
Sans for Latin text. Page numbers in the contents are the book's physical
pages: the front matter is drawn, counted, and drawn again if the contents
turned out longer than assumed. Papers are then copied in one at a time
(forum.pdfjoin: each is opened, written to the output and closed before
the next, so memory stays at about one paper), each with a bookmark. Papers
that are not PDF are listed with a note and not appended.
"""

from __future__ import annotations

import gc
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db.models import Prefetch

from forum import formatting as fmt
from forum.fonts import arabic_font, latin_font
from forum.models import Forum

from .models import PaperFile, WorkingPaper
from .selectors import paper_settings_for

ORDINALS_AR = {
    1: "الأولى", 2: "الثانية", 3: "الثالثة", 4: "الرابعة", 5: "الخامسة", 6: "السادسة", 7: "السابعة",
    8: "الثامنة", 9: "التاسعة", 10: "العاشرة",
}
NOT_PDF_NOTE_AR = "(الملف ليس PDF فلم يُدرج في الكتاب)"
NOT_PDF_NOTE_EN = "(not a PDF file: listed only, not included in the book)"
NOT_SUBMITTED_NOTE_AR = "(لم تُقدَّم بعد)"
NOT_SUBMITTED_NOTE_EN = "(not yet submitted)"


@dataclass
class Entry:
    paper: WorkingPaper
    file: PaperFile | None
    pages: int = 0
    start_page: int | None = None

    @property
    def is_pdf(self) -> bool:
        return self.file is not None and self.file.kind == "pdf"

    @property
    def notes(self) -> tuple[str, str]:
        """Why the paper's text is not in the book (Arabic, English); empty when it is."""
        if self.file is None:
            return NOT_SUBMITTED_NOTE_AR, NOT_SUBMITTED_NOTE_EN
        if not self.is_pdf:
            return NOT_PDF_NOTE_AR, NOT_PDF_NOTE_EN
        return "", ""


@dataclass
class Section:
    title_ar: str
    title_en: str
    entries: list[Entry] = field(default_factory=list)


@dataclass
class BookResult:
    path: Path
    page_count: int
    front_pages: int
    entries: list[Entry]


def hijri_and_gregorian(day: date, digits: str = "arab") -> tuple[str, str]:
    return fmt.hijri_date(day, "ar", digits=digits), fmt.gregorian_date(day, "ar", digits=digits)


def book_papers(*, forum: Forum) -> list[Section]:
    """Every paper of the book, grouped by session in agenda order; those without a file yet are listed too."""
    settings = paper_settings_for(forum=forum)
    papers = (
        WorkingPaper.objects.filter(forum=forum)
        .exclude(status=WorkingPaper.Status.REJECTED)
        .select_related("session")
        .prefetch_related(
            "speakers__organization",
            Prefetch("files", queryset=PaperFile.objects.filter(role=PaperFile.Role.PAPER).order_by("-version")),
        )
        .order_by("session__starts_at", "session__id", "session_item__order", "id")
    )
    if settings.review_enabled:
        papers = papers.filter(status=WorkingPaper.Status.ACCEPTED)
    sections: dict[int | None, Section] = {}
    for paper in papers:
        files = list(paper.files.all())
        session = paper.session
        key = session.pk if session else None
        if key not in sections:
            if session is None:
                sections[key] = Section("أوراق أخرى", "Other papers")
            else:
                number = f"الجلسة {ORDINALS_AR.get(session.number, session.number)}: " if session.number else ""
                number_en = f"Session {session.number}: " if session.number else ""
                sections[key] = Section(f"{number}{session.title_ar}", f"{number_en}{session.title_en}")
        sections[key].entries.append(Entry(paper=paper, file=files[0] if files else None))
    # Sessions first in agenda order; papers without a session last.
    ordered = [s for k, s in sections.items() if k is not None]
    if None in sections:
        ordered.append(sections[None])
    return ordered


def _speakers_line(paper: WorkingPaper) -> str:
    parts = []
    for person in paper.speakers.all():
        text = person.display_name_ar
        if person.organization:
            text += f" ({person.organization.name_ar})"
        parts.append(text)
    return "، ".join(parts)


def _new_pdf():
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(True, margin=18)
    pdf.set_margins(18, 18, 18)
    pdf.add_font("naskh", "", str(arabic_font()))
    pdf.add_font("naskh", "B", str(arabic_font(bold=True)))
    pdf.add_font("sans", "", str(latin_font()))
    pdf.add_font("sans", "B", str(latin_font(bold=True)))
    pdf.set_fallback_fonts(["sans"], exact_match=False)
    pdf.set_text_shaping(True)
    return pdf


def _front_matter(forum: Forum, sections: list[Section], *, offset: int, digits: str = "arab") -> tuple[bytes, int]:
    """Cover and contents, with paper start pages computed as if the front matter had `offset` pages."""
    pdf = _new_pdf()
    width = pdf.epw
    # -- cover
    pdf.add_page()
    pdf.set_y(50)
    pdf.set_font("naskh", "B", 26)
    pdf.multi_cell(width, 14, forum.title_ar, align="C", new_x="LMARGIN", new_y="NEXT")
    if forum.title_en:
        pdf.set_font("sans", "B", 16)
        pdf.multi_cell(width, 9, forum.title_en, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("naskh", "", 16)
    pdf.multi_cell(width, 10, f"كتاب أوراق العمل — الدورة {fmt.digits_for(forum.edition, digits)}", align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sans", "", 12)
    pdf.multi_cell(width, 7, f"Proceedings — edition {forum.edition}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("naskh", "", 15)
    organizer = forum.organizer.name_ar
    if forum.organizing_department:
        organizer += f" — {forum.organizing_department.name_ar}"
    pdf.multi_cell(width, 10, organizer, align="C", new_x="LMARGIN", new_y="NEXT")
    if forum.organizer.name_en:
        pdf.set_font("sans", "", 11)
        pdf.multi_cell(width, 7, forum.organizer.name_en, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    h_first, g_first = hijri_and_gregorian(forum.first_day, digits)
    h_last, g_last = hijri_and_gregorian(forum.last_day, digits)
    pdf.set_font("naskh", "", 14)
    if forum.first_day == forum.last_day:
        pdf.multi_cell(width, 9, h_first, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(width, 9, g_first, align="C", new_x="LMARGIN", new_y="NEXT")
    else:
        pdf.multi_cell(width, 9, f"من {h_first} إلى {h_last}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(width, 9, f"من {g_first} إلى {g_last}", align="C", new_x="LMARGIN", new_y="NEXT")
    if forum.venue_name_ar:
        pdf.multi_cell(width, 9, forum.venue_name_ar, align="C", new_x="LMARGIN", new_y="NEXT")
    # -- contents
    pdf.add_page()
    pdf.set_font("naskh", "B", 20)
    pdf.cell(width, 14, "المحتويات", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("sans", "", 11)
    pdf.cell(width, 7, "Contents", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    page = offset + 1
    num_w = 16
    for section in sections:
        pdf.set_font("naskh", "B", 14)
        pdf.multi_cell(width, 9, section.title_ar, align="R", new_x="LMARGIN", new_y="NEXT")
        if section.title_en.strip(": "):
            pdf.set_font("sans", "", 9)
            pdf.multi_cell(width, 5, section.title_en, align="R", new_x="LMARGIN", new_y="NEXT")
        for entry in section.entries:
            if pdf.will_page_break(22):
                pdf.add_page()
            if entry.is_pdf:
                entry.start_page = page
                page += entry.pages
            y = pdf.get_y()
            pdf.set_font("naskh", "", 12)
            pdf.set_x(pdf.l_margin + num_w)
            pdf.multi_cell(width - num_w, 8, entry.paper.title_ar, align="R", new_x="LMARGIN", new_y="NEXT")
            after = pdf.get_y()
            pdf.set_xy(pdf.l_margin, y)
            pdf.set_font("sans", "", 11)
            pdf.cell(num_w, 8, fmt.digits_for(entry.start_page, digits) if entry.start_page else "—", align="L")
            pdf.set_xy(pdf.l_margin, after)
            pdf.set_font("naskh", "", 10)
            pdf.set_x(pdf.l_margin + num_w)
            pdf.multi_cell(width - num_w, 6, _speakers_line(entry.paper), align="R", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("sans", "", 9)
            note_ar, note_en = entry.notes
            en = f"{entry.paper.title_en or ''} {note_en}".strip()
            if en:
                pdf.set_x(pdf.l_margin + num_w)
                pdf.multi_cell(width - num_w, 5, en, align="R", new_x="LMARGIN", new_y="NEXT")
            if note_ar:
                pdf.set_font("naskh", "", 10)
                pdf.set_x(pdf.l_margin + num_w)
                pdf.multi_cell(width - num_w, 6, note_ar, align="R", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        pdf.ln(3)
    return bytes(pdf.output()), pdf.pages_count


def build_book(*, forum: Forum, progress: Callable[[int, int], None] | None = None, digits: str = "arab") -> BookResult:
    """Write the book to a temporary file and return its path and page count."""
    from pypdf import PdfReader

    forum = Forum.objects.select_related("organizer", "organizing_department").get(pk=forum.pk)
    sections = book_papers(forum=forum)
    entries = [e for s in sections for e in s.entries]
    pdf_entries = [e for e in entries if e.is_pdf]
    total = len(pdf_entries)
    if progress:
        progress(0, total)
    for entry in pdf_entries:
        with entry.file.file.open("rb") as fh:
            entry.pages = len(PdfReader(fh).pages)
    # The contents' length decides where the papers start; redraw until it is stable.
    offset = 2
    for _attempt in range(5):
        front, front_pages = _front_matter(forum, sections, offset=offset, digits=digits)
        if front_pages == offset:
            break
        offset = front_pages
    out = tempfile.NamedTemporaryFile(suffix=".pdf", delete=False)
    # What the process held before (Django, the app) outlives the book: the joiner's collection after each
    # paper (pypdf objects are full of cycles) then looks only at what the book made, not at everything.
    gc.freeze()
    try:
        return _join(forum, front, pdf_entries, out, offset, entries, progress, total)
    finally:
        gc.unfreeze()


def _join(forum: Forum, front: bytes, pdf_entries, out, offset: int, entries, progress, total: int) -> BookResult:
    from forum.pdfjoin import PdfJoiner

    with out:
        joiner = PdfJoiner(out)
        joiner.add(io.BytesIO(front))
        joiner.bookmark("المحتويات / Contents", 1)
        for done, entry in enumerate(pdf_entries, start=1):
            # One paper at a time: opened, copied to the output, closed.
            with entry.file.file.open("rb") as fh:
                start = joiner.add(fh)
            title = entry.paper.title_ar + (f" / {entry.paper.title_en}" if entry.paper.title_en else "")
            joiner.bookmark(title, start)
            if progress:
                progress(done, total)
        page_count = joiner.finish(title=f"{forum.title_ar} — كتاب أوراق العمل", producer="forum proceedings")
    return BookResult(path=Path(out.name), page_count=page_count, front_pages=offset, entries=entries)
