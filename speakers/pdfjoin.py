"""Joining PDFs into one file without holding them all in memory.

pypdf's PdfWriter keeps every appended page until the final write, so a book
of a hundred papers would sit in memory whole. Here each source is opened,
its pages and everything they reference are renumbered and written to the
output straight away, and the source is closed before the next one is opened:
memory stays at about one paper. The page tree, the bookmarks, the catalogue
and the cross-reference table are written at the end.

Only what pages reference is copied (content, resources, fonts, images,
annotations); document-level parts of a source (its own bookmarks, forms
catalogue, named destinations) are not, as when pypdf appends without them.
Encrypted sources are not supported (uploads refuse them).
"""

from __future__ import annotations

from typing import IO

from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

CATALOG, PAGES = 1, 2  # object numbers reserved for the catalogue and the page tree


INHERITABLE = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


def _inherited(page: DictionaryObject) -> dict:
    """The inheritable attributes of a page's ancestors, nearest first, that the page lacks."""
    found: dict = {}
    node = page.get("/Parent")
    seen = 0
    while node is not None and seen < 64:  # a bounded walk: broken files may loop
        node = node.get_object()
        for key in INHERITABLE:
            if key in node and key not in page and key not in found:
                found[key] = node[key]
        node = node.get("/Parent")
        seen += 1
    return found


def _ref(num: int) -> IndirectObject:
    return IndirectObject(num, 0, None)  # type: ignore[arg-type]


class PdfJoiner:
    """Write `add(source)` after `add(source)` into `out`, then `finish()`."""

    def __init__(self, out: IO[bytes]):
        self.out = out
        self.offsets: dict[int, int] = {}
        self.next_num = PAGES + 1
        self.page_refs: list[int] = []
        self.bookmarks: list[tuple[str, int]] = []
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    @property
    def page_count(self) -> int:
        return len(self.page_refs)

    def _alloc(self) -> int:
        num = self.next_num
        self.next_num += 1
        return num

    def _write(self, num: int, obj) -> None:
        self.offsets[num] = self.out.tell()
        self.out.write(f"{num} 0 obj\n".encode())
        obj.write_to_stream(self.out)
        self.out.write(b"\nendobj\n")

    def add(self, source) -> int:
        """Append every page of one PDF (a path or a binary file); returns the index of its first page."""
        first = self.page_count
        reader = PdfReader(source)
        mapping: dict[tuple[int, int], int] = {}
        pending: list[tuple[int, IndirectObject]] = []

        def ref_for(indirect: IndirectObject) -> IndirectObject:
            key = (indirect.idnum, indirect.generation)
            if key not in mapping:
                target = indirect.get_object()
                if isinstance(target, DictionaryObject) and target.get("/Type") == "/Pages":
                    return _ref(PAGES)  # the source's page tree becomes ours
                mapping[key] = self._alloc()
                pending.append((mapping[key], indirect))
            return _ref(mapping[key])

        def convert(obj, *, is_page: bool = False):
            if isinstance(obj, IndirectObject):
                return ref_for(obj)
            if isinstance(obj, StreamObject):
                new = obj.__class__()
                new._data = obj._data  # still encoded: copied as it is, never decoded
                for key, value in obj.items():
                    if key != "/Length":
                        new[NameObject(key)] = convert(value)
                return new
            if isinstance(obj, DictionaryObject):
                new = DictionaryObject()
                for key, value in obj.items():
                    if is_page and key == "/Parent":
                        continue
                    new[NameObject(key)] = convert(value)
                if is_page:
                    # Attributes a page inherits from its (dropped) page tree are copied onto it.
                    for key, value in _inherited(obj).items():
                        if key not in new:
                            new[NameObject(key)] = convert(value)
                    new[NameObject("/Parent")] = _ref(PAGES)
                return new
            if isinstance(obj, ArrayObject):
                return ArrayObject(convert(value) for value in obj)
            return obj

        page_keys = {(p.indirect_reference.idnum, p.indirect_reference.generation) for p in reader.pages}
        page_nums = [ref_for(p.indirect_reference).idnum for p in reader.pages]
        while pending:
            num, indirect = pending.pop()
            obj = indirect.get_object()
            if obj is None:
                obj = NullObject()
            is_page = (indirect.idnum, indirect.generation) in page_keys
            self._write(num, convert(obj, is_page=is_page))
        self.page_refs.extend(page_nums)
        close = getattr(reader, "close", None)
        if close is not None:
            close()
        return first

    def bookmark(self, title: str, page_index: int) -> None:
        self.bookmarks.append((title, page_index))

    def finish(self, *, title: str = "", producer: str = "") -> int:
        """Write the page tree, bookmarks, catalogue and cross-reference table; returns the page count."""
        outline_num = None
        if self.bookmarks:
            outline_num = self._alloc()
            item_nums = [self._alloc() for _ in self.bookmarks]
            for n, ((text, page_index), num) in enumerate(zip(self.bookmarks, item_nums, strict=True)):
                item = DictionaryObject({
                    NameObject("/Title"): TextStringObject(text),
                    NameObject("/Parent"): _ref(outline_num),
                    NameObject("/Dest"): ArrayObject([_ref(self.page_refs[page_index]), NameObject("/Fit")]),
                })
                if n > 0:
                    item[NameObject("/Prev")] = _ref(item_nums[n - 1])
                if n < len(item_nums) - 1:
                    item[NameObject("/Next")] = _ref(item_nums[n + 1])
                self._write(num, item)
            self._write(outline_num, DictionaryObject({
                NameObject("/Type"): NameObject("/Outlines"),
                NameObject("/First"): _ref(item_nums[0]),
                NameObject("/Last"): _ref(item_nums[-1]),
                NameObject("/Count"): NumberObject(len(item_nums)),
            }))
        self._write(PAGES, DictionaryObject({
            NameObject("/Type"): NameObject("/Pages"),
            NameObject("/Kids"): ArrayObject(_ref(num) for num in self.page_refs),
            NameObject("/Count"): NumberObject(len(self.page_refs)),
        }))
        catalog = DictionaryObject({NameObject("/Type"): NameObject("/Catalog"), NameObject("/Pages"): _ref(PAGES)})
        if outline_num is not None:
            catalog[NameObject("/Outlines")] = _ref(outline_num)
            catalog[NameObject("/PageMode")] = NameObject("/UseOutlines")
        self._write(CATALOG, catalog)
        info_num = self._alloc()
        self._write(info_num, DictionaryObject({
            NameObject("/Title"): TextStringObject(title),
            NameObject("/Producer"): TextStringObject(producer),
        }))
        xref_at = self.out.tell()
        size = self.next_num
        self.out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
        for num in range(1, size):
            offset = self.offsets.get(num)
            # Numbers reserved for a source's page tree are never written: mark them free.
            self.out.write(f"{offset:010d} 00000 n \n".encode() if offset is not None else b"0000000000 65535 f \n")
        self.out.write(
            f"trailer\n<< /Size {size} /Root {CATALOG} 0 R /Info {info_num} 0 R >>\nstartxref\n{xref_at}\n%%EOF\n".encode()
        )
        return len(self.page_refs)
