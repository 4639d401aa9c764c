"""Join finished PDF files into one, streaming: memory is bounded by the largest part, not by the result.

pypdf's `PdfWriter.append` keeps every appended page, and everything the page
uses, in memory until `write()`, so joining the parts of a bulk badge sheet
grew with the sheet. Here each part is read with pypdf's reader on its own, its
objects are written straight to the output with new object numbers (indirect
references rewritten to match) and their byte offsets recorded, and the
reader is dropped (and the cycle collector run, since pypdf's objects point
back at their reader) before the next part is opened. Across parts only integers
are kept: the new object number of every page, and one byte offset per object
for the cross-reference table. At the end one Pages tree holding every page in
order, the xref table and the trailer are written.

What that means for the result:

- Objects shared by the pages of one part (fonts, resource dictionaries,
  images) are written once per part, so a font is embedded once per part, not
  once per file. For the badge sheet that is a few subset fonts of some tens
  of kilobytes per part of hundreds of badges; the file is a little larger,
  which is the price of not holding every part in memory at once.
- The document catalog (page layout, open action, and any outline or names)
  and the document information (title, creator) are taken from the first part;
  such entries of the other parts are not carried over. The badge parts have
  none but page layout and open action, and they are the same in every part.
- Inherited page attributes (/MediaBox, /Resources, /CropBox, /Rotate on a
  part's Pages node) are put on each page, since the part's Pages tree is
  replaced by the joined one.
- Streams are copied as they are stored (still compressed); nothing is decoded
  or re-encoded.
- Encrypted parts are refused.
"""

from __future__ import annotations

import gc
import hashlib
import io
import os
import re
from array import array
from collections import deque
from collections.abc import Sequence
from typing import BinaryIO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfObject,
    StreamObject,
)

PAGES_NUMBER = 1  # the joined Pages tree: written last, once every page's number is known
CATALOG_NUMBER = 2
_FIRST_FREE = 3

_HEADER = re.compile(rb"%PDF-(\d+)\.(\d+)")


def pdf_parts_join(*, parts: Sequence[str | os.PathLike], out: BinaryIO) -> int:
    """Write the pages of every file in `parts`, in order, as one PDF to the binary file `out`; returns the page count.

    Only one part is read into memory at a time. `out` should be a real file
    for the memory to stay flat (a BytesIO of course holds the whole result).
    """
    if not parts:
        raise ValueError("no PDF parts to join")
    return _Join(out).run(parts)


class _Join:
    def __init__(self, out: BinaryIO):
        self.out = out
        self.position = 0  # bytes written by us; `out` need not start at offset 0
        self.digest = hashlib.md5(usedforsecurity=False)
        self.offsets = array("Q", [0] * _FIRST_FREE)  # object number -> byte offset
        self.next_number = _FIRST_FREE
        self.page_numbers = array("Q")
        self.info_number: int | None = None

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

    def run(self, parts: Sequence[str | os.PathLike]) -> int:
        version = max(_header_version(part) for part in parts)
        self.write(b"%%PDF-%d.%d\n%%\xe2\xe3\xcf\xd3\n" % version)
        for index, part in enumerate(parts):
            self.copy_part(part, first=index == 0)
        self.finish()
        return len(self.page_numbers)

    def copy_part(self, path: str | os.PathLike, *, first: bool) -> None:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise ValueError(f"encrypted PDF part cannot be joined: {os.fspath(path)}")
        _PartCopy(self, reader).run(first=first)
        # The reader and the objects parsed from it point at each other, so dropping the last reference
        # frees nothing until the cycle collector runs, which it may not do for several parts. Collect now.
        del reader
        gc.collect()

    def finish(self) -> None:
        kids = b" ".join(b"%d 0 R" % number for number in self.page_numbers)
        self.write_object(PAGES_NUMBER, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(self.page_numbers), kids))
        size = self.next_number
        xref_at = self.position
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
        lines += [b"%010d 00000 n \n" % self.offsets[n] for n in range(1, size)]
        self.write(b"".join(lines))
        file_id = self.digest.hexdigest().encode()
        info = b" /Info %d 0 R" % self.info_number if self.info_number else b""
        self.write(b"trailer\n<< /Size %d /Root %d 0 R%s /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
                   % (size, CATALOG_NUMBER, info, file_id, file_id, xref_at))


class _PartCopy:
    """The objects of one part reachable from its pages, renumbered into the joined file."""

    def __init__(self, join: _Join, reader: PdfReader):
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
        for key, value in dict.items(catalog):
            if key in ("/Type", "/Pages", "/Version"):
                continue
            body.write(b" ")
            self.value(NameObject(key), body)
            body.write(b" ")
            self.value(value, body)
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
            for key, value in dict.items(obj):
                if key == "/Length":
                    continue
                buffer.write(b" ")
                self.value(NameObject(key), buffer)
                buffer.write(b" ")
                self.value(value, buffer)
            buffer.write(b" /Length %d >>\nstream\n" % len(data))
            buffer.write(data)
            buffer.write(b"\nendstream")
        elif isinstance(obj, DictionaryObject) and dict.get(obj, "/Type") == "/Page":
            buffer.write(b"<< /Parent %d 0 R" % PAGES_NUMBER)
            for key, value in dict.items(obj):
                if key == "/Parent":
                    continue
                buffer.write(b" ")
                self.value(NameObject(key), buffer)
                buffer.write(b" ")
                self.value(value, buffer)
            buffer.write(b" >>")
        elif obj is None:
            buffer.write(b"null")
        else:
            self.value(obj, buffer)
        return buffer.getvalue()

    def value(self, value, buffer: io.BytesIO) -> None:
        if isinstance(value, IndirectObject):
            buffer.write(b"%d 0 R" % self.number(value))
        elif isinstance(value, StreamObject):
            raise ValueError("a PDF stream must be an indirect object")
        elif isinstance(value, DictionaryObject):
            buffer.write(b"<<")
            for key, item in dict.items(value):
                buffer.write(b" ")
                self.value(NameObject(key), buffer)
                buffer.write(b" ")
                self.value(item, buffer)
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


def _header_version(path: str | os.PathLike) -> tuple[int, int]:
    with open(path, "rb") as handle:
        match = _HEADER.search(handle.read(1024))
    if match is None:
        raise ValueError(f"not a PDF file: {os.fspath(path)}")
    return int(match.group(1)), int(match.group(2))
