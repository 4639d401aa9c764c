"""Deciding what an uploaded file really is, from its content, and refusing the dangerous ones.

The name the user gave is only checked against the content, never trusted:
a PDF is a PDF because it starts with %PDF- and pypdf can open it, unencrypted;
DOCX and PPTX are ZIP packages whose [Content_Types].xml declares the main part.
Office files with macros, ZIP bombs and anything else are refused, each with
a message that names the problem in the user's language.
"""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

from django.core.files import File
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from forum.errors import DomainError

from .models import FileKind

EXTENSIONS = {FileKind.PDF: {"pdf"}, FileKind.DOCX: {"docx"}, FileKind.PPTX: {"pptx"}}

# Main-part content types of the OOXML packages we accept, and of their macro-enabled twins.
DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
PPTX_MAIN = b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
MACRO_MARKERS = (b"macroEnabled", b"vbaProject", b"application/vnd.ms-office.vbaProject")

# A paper's package is at most a few hundred MB uncompressed and compresses
# maybe 20:1 (XML); anything far beyond is a ZIP bomb, refused before reading it.
PHOTO_MAX_SIDE = 1200
THUMB_SIDE = 200

ZIP_MAX_UNCOMPRESSED = 300 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_MAX_ENTRIES = 10_000
CONTENT_TYPES_MAX = 1024 * 1024


class UploadRefused(DomainError):
    default_code = "upload_refused"

    def __init__(self, message, *, code: str):
        super().__init__(message, field="file", code=code)


@dataclass(frozen=True)
class Inspected:
    kind: str
    size: int
    sha256: str


def _extension(name: str) -> str:
    base = (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return base.rsplit(".", 1)[-1].lower() if "." in base else ""


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _check_pdf(stream: IO[bytes]) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    stream.seek(0)
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise UploadRefused(
                _("This PDF is password-protected (encrypted). Save it without a password and upload it again."),
                code="pdf_encrypted",
            )
        pages = len(reader.pages)
        if pages == 0:
            raise UploadRefused(_("This PDF has no pages; it is damaged."), code="pdf_broken")
        # Parsing every page catches files whose cross-reference table lies.
        for page in reader.pages:
            page.mediabox  # noqa: B018
    except UploadRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError, RecursionError):
        raise UploadRefused(
            _("This PDF is damaged and cannot be opened. Export it again from the original document."),
            code="pdf_broken",
        )
    finally:
        stream.seek(0)


def _check_ooxml(stream: IO[bytes]) -> str:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as package:
            entries = package.infolist()
            if len(entries) > ZIP_MAX_ENTRIES:
                raise UploadRefused(_("This file contains far too many parts (a ZIP bomb?)."), code="zip_bomb")
            uncompressed = sum(e.file_size for e in entries)
            compressed = sum(e.compress_size for e in entries) or 1
            if uncompressed > ZIP_MAX_UNCOMPRESSED or uncompressed / compressed > ZIP_MAX_RATIO:
                raise UploadRefused(
                    _("This file unpacks to an absurd size (a ZIP bomb); it was refused."), code="zip_bomb"
                )
            names = {e.filename for e in entries}
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise UploadRefused(
                    _("This Office file contains macros. Save it as a plain .docx or .pptx without macros."),
                    code="macros",
                )
            if "[Content_Types].xml" not in names:
                raise UploadRefused(_("This file type is not accepted."), code="unsupported")
            info = package.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_MAX:
                raise UploadRefused(_("This file type is not accepted."), code="unsupported")
            content_types = package.read(info)
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, KeyError, ValueError, NotImplementedError):
        raise UploadRefused(_("This file is damaged and cannot be opened."), code="broken")
    finally:
        stream.seek(0)
    if any(marker.lower() in content_types.lower() for marker in MACRO_MARKERS):
        raise UploadRefused(
            _("This Office file contains macros. Save it as a plain .docx or .pptx without macros."), code="macros"
        )
    if DOCX_MAIN in content_types and "word/document.xml" in names:
        return FileKind.DOCX.value
    if PPTX_MAIN in content_types and "ppt/presentation.xml" in names:
        return FileKind.PPTX.value
    raise UploadRefused(_("This file type is not accepted."), code="unsupported")


def detect_kind(stream: IO[bytes]) -> str:
    """The file's real kind from its bytes, or UploadRefused."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        _check_pdf(stream)
        return FileKind.PDF.value
    if head.startswith(b"PK\x03\x04"):
        return _check_ooxml(stream)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise UploadRefused(
            _("Old Office files (.doc, .ppt) are not accepted. Save it as .docx, .pptx or PDF."), code="legacy_office"
        )
    raise UploadRefused(
        _("This file type is not accepted. Upload a PDF, Word (.docx) or PowerPoint (.pptx) file."),
        code="unsupported",
    )


def inspect_upload(
    stream: IO[bytes], *, name: str, size: int, accepted_kinds: list[str], max_bytes: int
) -> Inspected:
    """Check an upload completely before anything is stored. Raises UploadRefused."""
    if size > max_bytes:
        raise too_large_error(size=size, max_bytes=max_bytes)
    if size == 0:
        raise UploadRefused(_("The file is empty."), code="empty")
    kind = detect_kind(stream)
    if kind not in accepted_kinds:
        names = ", ".join(FileKind(k).label for k in accepted_kinds)
        raise UploadRefused(
            _("%(kind)s files are not accepted for this forum. Accepted: %(accepted)s.")
            % {"kind": FileKind(kind).label, "accepted": names},
            code="kind_not_accepted",
        )
    if _extension(name) not in EXTENSIONS[FileKind(kind)]:
        raise UploadRefused(
            _("The file's name says .%(ext)s but its content is %(kind)s. Rename it or upload the right file.")
            % {"ext": _extension(name) or "—", "kind": FileKind(kind).label},
            code="extension_mismatch",
        )
    return Inspected(kind=kind, size=size, sha256=_sha256(stream))


def _megabytes(size: int) -> str:
    """1 MB = 1,048,576 bytes, as the limit is set; whole numbers without decimals."""
    value = size / 1048576
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def too_large_error(*, max_bytes: int, size: int | None = None) -> UploadRefused:
    """The refusal names the real limit, and the file's size only when it is known (a file
    stopped while arriving has no known size: the bytes read so far say nothing)."""
    if size is None:
        message = _("The file is larger than the limit of %(limit)s MB.") % {"limit": _megabytes(max_bytes)}
    else:
        message = _("The file is too large (%(size)s MB); the limit is %(limit)s MB.") % {
            "size": f"{size / 1048576:.1f}", "limit": _megabytes(max_bytes),
        }
    return UploadRefused(message, code="too_large")


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading an upload as soon as it passes the limit, so an oversized
    file is never written to disk; the rest of the request body is discarded."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.exceeded_at: int | None = None

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.exceeded_at = start + len(raw_data)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def reencode_photo(
    stream: IO[bytes], *, max_side: int = PHOTO_MAX_SIDE, thumb_side: int = THUMB_SIDE
) -> tuple[bytes, bytes]:
    """(photo, thumbnail) as fresh JPEGs: only pixels survive, never metadata or embedded payloads."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(stream) as image:
            if image.format not in {"JPEG", "PNG", "WEBP"}:
                raise UploadRefused(_("Photos must be JPEG, PNG or WebP."), code="photo_kind")
            if image.width * image.height > 40_000_000:
                raise UploadRefused(_("This photo is far too large."), code="photo_too_large")
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail((max_side, max_side))
            photo = io.BytesIO()
            image.save(photo, "JPEG", quality=88)
            image.thumbnail((thumb_side, thumb_side))
            thumb = io.BytesIO()
            image.save(thumb, "JPEG", quality=85)
    except UploadRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise UploadRefused(_("This photo cannot be read. Upload a JPEG, PNG or WebP image."), code="photo_broken")
    return photo.getvalue(), thumb.getvalue()


def version_store(*, stored, upload: IO[bytes], kind: str, parent: QuerySet, versions: QuerySet,
                  then: Callable[[], object] | None = None):
    """Save `stored` (an unsaved row with `file` and `version`) as the next version of an uploaded document.

    The rule: the file is written first, under a name nobody chooses, and the
    row only after it, numbered one past the last of `versions` while the row
    of `parent` is locked, so two uploads at once get consecutive versions. A
    failure anywhere (including in `then`, run in the same transaction) leaves
    neither the row nor the file behind.
    """
    upload.seek(0)
    stored.file.save(f"{uuid.uuid4().hex}.{kind}", File(upload), save=False)
    try:
        with transaction.atomic():
            parent.select_for_update().get()
            last = versions.order_by("-version").values_list("version", flat=True).first()
            stored.version = (last or 0) + 1
            stored.save()
            if then is not None:
                then()
    except BaseException:
        stored.file.storage.delete(stored.file.name)
        raise
    return stored
