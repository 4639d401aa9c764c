"""Join PDF files into one, streaming: memory is bounded by the largest source, not by the result.

One joiner for the whole system: the bulk badge and certificate sheets join
their finished parts (`pdf_parts_join`), and the proceedings book appends a
cover and then every paper, each with a bookmark (`PdfJoiner`).

pypdf's `PdfWriter.append` keeps every appended page, and everything the page
uses, in memory until `write()`, so joining grew with the result. Here each
source is read with pypdf's reader on its own, its objects are written straight
to the output with new object numbers (indirect references rewritten to match)
and their byte offsets recorded, and the reader is dropped (and the cycle
collector run, since pypdf's objects point back at their reader) before the
next source is opened. Across sources only integers are kept: the new object
number of every page, and one byte offset per object for the cross-reference
table (plus the bookmarks' titles). At the end one Pages tree holding every
page in order, the outline, the xref table and the trailer are written.

What that means for the result:

- Only what pages reference is copied (content, resources, fonts, images,
  annotations, links between pages of the same source).
- Objects shared by the pages of one source (fonts, resource dictionaries,
  images) are written once per source, so a font is embedded once per source,
  not once per file. For the badge sheet that is a few subset fonts of some tens
  of kilobytes per part of hundreds of badges; the file is a little larger,
  which is the price of not holding every part in memory at once.
- The document catalog and information: with `document_from_first` (as
  `pdf_parts_join` does) the catalog's entries (page layout, open action, and
  any outline or names) and the document information (title, creator) are
  taken from the first source, and such entries of the others are not carried
  over (the badge parts have none but page layout and open action, the same in
  every part). Otherwise the catalog is new, with the bookmarks given to
  `bookmark()` as its outline, and `finish(title=..., producer=...)` writes the
  document information.
- Inherited page attributes (/MediaBox, /Resources, /CropBox, /Rotate on a
  source's Pages node) are put on each page, since the source's Pages tree is
  replaced by the joined one.
- Streams are copied as they are stored (still compressed); nothing is decoded
  or re-encoded.
- Encrypted sources are refused (uploads refuse them too).
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import re
import shutil
from array import array
from collections import deque
from collections.abc import Sequence
from typing import IO, BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
    TextStringObject,
)

PAGES_NUMBER = 1  # the joined Pages tree: written last, once every page's number is known
CATALOG_NUMBER = 2
_FIRST_FREE = 3

_HEADER = re.compile(rb"%PDF-(\d+)\.(\d+)")


def pdf_parts_join(*, parts: Sequence[str | os.PathLike], out: BinaryIO) -> int | None:
    """Write the pages of every file in `parts`, in order, as one PDF to the binary file `out`; returns the page count.

    Only one part is read into memory at a time. `out` should be a real file
    for the memory to stay flat (a BytesIO of course holds the whole result).
    The catalog and document information are those of the first part; a single
    part is copied as it is (its pages are then not counted: None is returned).
    """
    if not parts:
        raise ValueError("no PDF parts to join")
    version = max(_header_version(part) for part in parts)
    if len(parts) == 1:
        with open(parts[0], "rb") as handle:
            shutil.copyfileobj(handle, out)
        return None
    joiner = PdfJoiner(out, version=version, document_from_first=True)
    for part in parts:
        joiner.add(part)
    return joiner.finish()


class PdfJoiner:
    """Write `add(source)` after `add(source)` into `out` (a binary file), then `finish()`.

    A source is a path or a binary file. `version` is the PDF version written in
    the header; `document_from_first` takes the catalog and document information
    from the first source instead of writing new ones.
    """

    def __init__(self, out: IO[bytes], *, version: tuple[int, int] = (1, 7), document_from_first: bool = False):
        self.out = out
        self.document_from_first = document_from_first
        self.position = 0  # bytes written by us; `out` need not start at offset 0
        self.digest = hashlib.md5(usedforsecurity=False)
        self.offsets = array("Q", [0] * _FIRST_FREE)  # object number -> byte offset (0: not written)
        self.next_number = _FIRST_FREE
        self.page_numbers = array("Q")
        self.info_number: int | None = None
        self.catalog_written = False
        self.bookmarks: list[tuple[str, int]] = []
        self.write(b"%%PDF-%d.%d\n%%\xe2\xe3\xcf\xd3\n" % version)

    @property
    def page_count(self) -> int:
        return len(self.page_numbers)

    # ---- output ------------------------------------------------------------

    def write(self, data: bytes) -> None:
        self.out.write(data)
        self.digest.update(data)
        self.position += len(data)

    def write_object(self, number: int, body: bytes) -> None:
        if number >= len(self.offsets):
            self.offsets.extend([0] * (number + 1 - len(self.offsets)))
        self.offsets[number] = self.position
        self.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def allocate(self) -> int:
        number = self.next_number
        self.next_number += 1
        return number

    # ---- the join ------------------------------------------------------------

    def add(self, source: str | os.PathLike | IO[bytes]) -> int:
        """Append every page of one PDF; returns the index (from 0) of its first page in the result."""
        first_page = self.page_count
        reader = PdfReader(source)
        if reader.is_encrypted:
            name = os.fspath(source) if isinstance(source, (str, os.PathLike)) else "stream"
            raise ValueError(f"encrypted PDF cannot be joined: {name}")
        copy_document = self.document_from_first and not self.catalog_written
        _PartCopy(self, reader).run(first=copy_document)
        if copy_document:
            self.catalog_written = True
        # The reader and the objects parsed from it point at each other, so dropping the last reference
        # frees nothing until the cycle collector runs, which it may not do for several sources. Collect now.
        del reader
        gc.collect()
        return first_page

    def bookmark(self, title: str, page_index: int) -> None:
        """A top-level bookmark to the page `page_index` (from 0) of the result, in the order given."""
        if self.document_from_first:
            raise ValueError("bookmarks need a catalog of the joiner's own (document_from_first=False)")
        self.bookmarks.append((title, page_index))

    def finish(self, *, title: str | None = None, producer: str | None = None) -> int:
        """Write the page tree, the outline, the catalog, the document information and the xref; returns the page count."""
        kids = b" ".join(b"%d 0 R" % number for number in self.page_numbers)
        self.write_object(PAGES_NUMBER, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(self.page_numbers), kids))
        if not self.catalog_written:
            catalog = b"<< /Type /Catalog /Pages %d 0 R" % PAGES_NUMBER
            outline = self.outline_write()
            if outline is not None:
                catalog += b" /Outlines %d 0 R /PageMode /UseOutlines" % outline
            self.write_object(CATALOG_NUMBER, catalog + b" >>")
            self.catalog_written = True
        if title is not None or producer is not None:
            self.info_number = self.allocate()
            self.write_object(self.info_number, b"<< /Title %s /Producer %s >>"
                              % (_pdf_text(title or ""), _pdf_text(producer or "")))
        size = self.next_number
        xref_at = self.position
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        lines += [b"%010d 00000 n \n" % self.offsets[n] if n < len(self.offsets) and self.offsets[n]
                  else b"0000000000 65535 f \n" for n in range(1, size)]
        self.write(b"".join(lines))
        file_id = self.digest.hexdigest().encode()
        info = b" /Info %d 0 R" % self.info_number if self.info_number else b""
        self.write(b"trailer\n<< /Size %d /Root %d 0 R%s /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
                   % (size, CATALOG_NUMBER, info, file_id, file_id, xref_at))
        return self.page_count

    def outline_write(self) -> int | None:
        """The bookmarks as an outline of one level; returns its object number, None without bookmarks."""
        if not self.bookmarks:
            return None
        outline = self.allocate()
        items = [self.allocate() for _ in self.bookmarks]
        for index, ((text, page_index), number) in enumerate(zip(self.bookmarks, items, strict=True)):
            body = b"<< /Title %s /Parent %d 0 R /Dest [%d 0 R /Fit]" % (
                _pdf_text(text), outline, self.page_numbers[page_index])
            if index > 0:
                body += b" /Prev %d 0 R" % items[index - 1]
            if index < len(items) - 1:
                body += b" /Next %d 0 R" % items[index + 1]
            self.write_object(number, body + b" >>")
        self.write_object(outline, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
                          % (items[0], items[-1], len(items)))
        return outline


class _PartCopy:
    """The objects of one part reachable from its pages, renumbered into the joined file."""

    def __init__(self, join: PdfJoiner, reader: PdfReader):
        self.join = join
        self.reader = reader
        self.numbers: dict[tuple[int, int], int] = {}  # (object number, generation) in the part -> new number
        self.pages: dict[tuple[int, int], DictionaryObject] = {}  # the part's pages, inherited attributes applied
        self.queue: deque[tuple[int, PdfObject]] = deque()

    def run(self, *, first: bool) -> None:
        pages = list(self.reader.pages)
        for page in pages:
            ref = page.indirect_reference
            if ref is not None:
                self.pages[(ref.idnum, ref.generation)] = page
        for page in pages:
            ref = page.indirect_reference
            if ref is not None:
                number = self.number(ref)
            else:  # a page written inline in /Kids: give it a number of its own
                number = self.join.allocate()
                self.queue.append((number, page))
            self.join.page_numbers.append(number)
        if first:
            self.copy_document_entries()
        while self.queue:
            number, obj = self.queue.popleft()
            self.join.write_object(number, self.body(obj))

    def copy_document_entries(self) -> None:
        catalog = self.reader.trailer["/Root"].get_object()
        body = io.BytesIO()
        body.write(b"<< /Type /Catalog /Pages %d 0 R" % PAGES_NUMBER)
        self.entries(catalog, body, skip=("/Type", "/Pages", "/Version"))
        body.write(b" >>")
        self.join.write_object(CATALOG_NUMBER, body.getvalue())
        info = dict.get(self.reader.trailer, "/Info")
        if isinstance(info, IndirectObject):
            self.join.info_number = self.number(info)
        elif isinstance(info, DictionaryObject):
            self.join.info_number = self.join.allocate()
            self.queue.append((self.join.info_number, info))

    def number(self, ref: IndirectObject) -> int:
        """The new number of a referenced object, queueing it to be written the first time it is seen."""
        key = (ref.idnum, ref.generation)
        number = self.numbers.get(key)
        if number is not None:
            return number
        obj = self.pages.get(key)
        if obj is None:
            obj = self.reader.get_object(ref)
            if isinstance(obj, DictionaryObject) and dict.get(obj, "/Type") == "/Pages":
                number = PAGES_NUMBER  # a node of the part's page tree: the joined tree replaces it
        if number is None:
            number = self.join.allocate()
            self.queue.append((number, obj))
        self.numbers[key] = number
        return number

    def body(self, obj: PdfObject) -> bytes:
        buffer = io.BytesIO()
        if isinstance(obj, StreamObject):
            data = obj._data  # as stored: still compressed (pypdf's own writer writes this attribute)
            buffer.write(b"<<")
            self.entries(obj, buffer, skip=("/Length",))
            buffer.write(b" /Length %d >>\nstream\n" % len(data))
            buffer.write(data)
            buffer.write(b"\nendstream")
        elif isinstance(obj, DictionaryObject) and dict.get(obj, "/Type") == "/Page":
            buffer.write(b"<< /Parent %d 0 R" % PAGES_NUMBER)
            self.entries(obj, buffer, skip=("/Parent",))
            buffer.write(b" >>")
        elif obj is None:
            buffer.write(b"null")
        else:
            self.value(obj, buffer)
        return buffer.getvalue()

    def entries(self, obj: DictionaryObject, buffer: io.BytesIO, skip: tuple[str, ...] = ()) -> None:
        """The key-value pairs of a dictionary (but the keys in `skip`), each preceded by a space."""
        for key, value in dict.items(obj):
            if key in skip:
                continue
            buffer.write(b" ")
            self.value(NameObject(key), buffer)
            buffer.write(b" ")
            self.value(value, buffer)

    def value(self, value, buffer: io.BytesIO) -> None:
        if isinstance(value, IndirectObject):
            buffer.write(b"%d 0 R" % self.number(value))
        elif isinstance(value, StreamObject):
            raise ValueError("a PDF stream must be an indirect object")
        elif isinstance(value, DictionaryObject):
            buffer.write(b"<<")
            self.entries(value, buffer)
            buffer.write(b" >>")
        elif isinstance(value, ArrayObject):
            buffer.write(b"[")
            for index, item in enumerate(list.__iter__(value)):
                if index:
                    buffer.write(b" ")
                self.value(item, buffer)
            buffer.write(b"]")
        else:
            value.write_to_stream(buffer)


def _pdf_text(text: str) -> bytes:
    buffer = io.BytesIO()
    TextStringObject(text).write_to_stream(buffer)
    return buffer.getvalue()


def _header_version(path: str | os.PathLike) -> tuple[int, int]:
    with open(path, "rb") as handle:
        match = _HEADER.search(handle.read(1024))
    if match is None:
        raise ValueError(f"not a PDF file: {os.fspath(path)}")
    return int(match.group(1)), int(match.group(2))
