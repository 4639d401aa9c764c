"""The one streaming PDF joiner (forum.pdfjoin): a valid single PDF, every page in order, memory flat; bookmarks."""

import gc
import io
import re
import tracemalloc

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from forum import fonts
from forum.pdfjoin import PdfJoiner, pdf_parts_join
from tests.speakers import files


def part_write(path, *, label: str, pages: int, lines: int = 4, page_format="A4") -> str:
    """A finished PDF like a badge part: an embedded subset font shared by its pages, one marker per page."""
    pdf = FPDF(format=page_format)
    pdf.add_font("sans", "", str(fonts.latin_font()))
    pdf.set_font("sans", size=9)
    pdf.set_title(f"title of {label}")
    for page in range(pages):
        pdf.add_page()
        pdf.cell(text=f"marker-{label}-page-{page}", new_x="LMARGIN", new_y="NEXT")
        for line in range(lines):  # bulk, so the part weighs something: numbers compress poorly
            pdf.cell(text=" ".join(str((page * 7919 + line * 104729 + i * 15485863) % 999983) for i in range(14)),
                     new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return str(path)


def joined(parts, tmp_path) -> PdfReader:
    target = tmp_path / "joined.pdf"
    with open(target, "wb") as out:
        pdf_parts_join(parts=parts, out=out)
    return PdfReader(target, strict=True)


def markers(reader: PdfReader) -> list[str]:
    return [re.search(r"marker-\S+", page.extract_text()).group(0) for page in reader.pages]


def test_join_has_the_pages_of_every_part_in_order(tmp_path):
    parts = [part_write(tmp_path / "a.pdf", label="a", pages=2),
             part_write(tmp_path / "b.pdf", label="b", pages=3, page_format=(148, 210)),
             part_write(tmp_path / "c.pdf", label="c", pages=1)]
    reader = joined(parts, tmp_path)
    assert len(reader.pages) == 6
    assert markers(reader) == ["marker-a-page-0", "marker-a-page-1", "marker-b-page-0", "marker-b-page-1",
                               "marker-b-page-2", "marker-c-page-0"]
    # Each part's page size (inherited from its own page tree) is kept on its pages.
    sizes = [(round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72))
             for p in reader.pages]
    assert sizes == [(210, 297)] * 2 + [(148, 210)] * 3 + [(210, 297)]
    assert reader.metadata.title == "title of a"  # document information from the first part


def test_join_of_a_single_part_is_that_part(tmp_path):
    reader = joined([part_write(tmp_path / "only.pdf", label="only", pages=3)], tmp_path)
    assert markers(reader) == ["marker-only-page-0", "marker-only-page-1", "marker-only-page-2"]


def test_join_xref_points_at_every_object(tmp_path):
    parts = [part_write(tmp_path / f"{n}.pdf", label=str(n), pages=2) for n in range(3)]
    joined(parts, tmp_path)
    data = (tmp_path / "joined.pdf").read_bytes()
    xref_at = int(data.rsplit(b"startxref\n", 1)[1].split()[0])
    assert data[xref_at:].startswith(b"xref\n0 ")
    rows = data[xref_at:].split(b"trailer", 1)[0].split(b"\n")
    size = int(rows[1].split()[1])
    entries = rows[3:3 + size - 1]  # after the free entry of object 0
    assert len(entries) == size - 1
    for number, entry in enumerate(entries, start=1):
        assert data[int(entry[:10]):].startswith(b"%d 0 obj\n" % number), number
    assert data.startswith(b"%PDF-1.") and data.endswith(b"%%EOF\n")


def test_join_of_no_parts_or_not_a_pdf_is_refused(tmp_path):
    with pytest.raises(ValueError):
        pdf_parts_join(parts=[], out=io.BytesIO())
    not_pdf = tmp_path / "note.txt"
    not_pdf.write_text("hello")
    with pytest.raises(ValueError):
        pdf_parts_join(parts=[str(not_pdf)], out=io.BytesIO())


def join_heap_peak(parts, target) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        with open(target, "wb") as out:  # a real file: the output itself is not held
            pdf_parts_join(parts=parts, out=out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_join_memory_is_flat_in_the_number_of_parts(tmp_path):
    # Parts of about 130 KB and a hundred objects each, like a badge part; eight of them joined must not need
    # much more memory than two. (Holding every part, as PdfWriter.append does, measures about 3.9x here.)
    parts = [part_write(tmp_path / f"part-{n}.pdf", label=str(n), pages=40, lines=40) for n in range(8)]
    part_size = (tmp_path / "part-0.pdf").stat().st_size
    assert part_size > 100_000
    two = join_heap_peak(parts[:2], tmp_path / "two.pdf")
    eight = join_heap_peak(parts, tmp_path / "eight.pdf")
    assert (tmp_path / "eight.pdf").stat().st_size > 3.5 * (tmp_path / "two.pdf").stat().st_size
    assert two > part_size  # the measure sees a part being read
    assert eight < 1.5 * two, (two, eight)
    assert len(PdfReader(tmp_path / "eight.pdf").pages) == 8 * 40


def test_pdf_joiner_copies_pages_one_source_at_a_time_with_links_and_inherited_attributes(tmp_path):
    from pypdf import PdfWriter
    from pypdf.annotations import Link
    from pypdf.generic import NameObject, NumberObject

    # A source whose rotation is set on its page tree and whose first page links to its second.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(files.pdf_bytes(pages=2, marker="LINKED"))))
    writer._root_object["/Pages"].get_object()[NameObject("/Rotate")] = NumberObject(90)
    writer.add_annotation(0, Link(rect=(50, 50, 200, 80), target_page_index=1))
    linked = io.BytesIO()
    writer.write(linked)
    linked.seek(0)

    out_path = tmp_path / "joined.pdf"
    with open(out_path, "wb") as out:
        joiner = PdfJoiner(out)
        assert joiner.add(io.BytesIO(files.pdf_bytes(pages=1, marker="FIRST"))) == 0
        assert joiner.add(linked) == 1
        joiner.bookmark("الأولى", 0)
        joiner.bookmark("Linked", 1)
        assert joiner.finish(title="كتاب") == 3
    reader = PdfReader(str(out_path), strict=True)
    assert [p.extract_text().split()[0] for p in reader.pages] == ["FIRST", "LINKED", "LINKED"]
    assert [p.rotation for p in reader.pages] == [0, 90, 90]
    link = reader.pages[1]["/Annots"][0].get_object()
    target = link["/Dest"][0] if "/Dest" in link else link["/A"]["/D"][0]
    assert reader.get_page_number(reader.pages[2]) == reader.get_page_number(target.get_object())
    assert [(o.title, reader.get_destination_page_number(o)) for o in reader.outline] == [("الأولى", 0), ("Linked", 1)]
    assert reader.metadata.title == "كتاب"
