"""Real files crafted in the tests: PDFs, Office packages, and the bad ones."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

DOCX_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>'
    "{extra}</Types>"
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
PPTM_MAIN = "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="{target}"/></Relationships>'
)


def pdf_bytes(pages: int = 1, marker: str = "PAPER") -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=14)
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(0, 10, f"{marker} page {n}")
    return bytes(pdf.output())


def encrypted_pdf_bytes() -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes())))
    writer.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def broken_pdf_bytes() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nthis is not a pdf at all\n%%EOF\n"


def _package(files: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return out.getvalue()


def docx_bytes(*, main: str = DOCX_MAIN, vba: bool = False, body: bytes = b"<w:document/>") -> bytes:
    extra = '<Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>' if vba else ""
    files = {
        "[Content_Types].xml": DOCX_TYPES.format(main=main, extra=extra).encode(),
        "_rels/.rels": RELS.format(target="word/document.xml").encode(),
        "word/document.xml": body,
    }
    if vba:
        files["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 fake vba project"
    return _package(files)


def pptx_bytes(*, main: str = PPTX_MAIN) -> bytes:
    types = DOCX_TYPES.replace("/word/document.xml", "/ppt/presentation.xml").format(main=main, extra="")
    return _package(
        {
            "[Content_Types].xml": types.encode(),
            "_rels/.rels": RELS.format(target="ppt/presentation.xml").encode(),
            "ppt/presentation.xml": b"<p:presentation/>",
        }
    )


def zip_bomb_docx_bytes() -> bytes:
    """A DOCX whose document part is 20 MB of zeros: a few KB on the wire, ratio ~1000:1."""
    return docx_bytes(body=b"\0" * (20 * 1024 * 1024))


def png_bytes(size=(64, 48), fmt="PNG", exif: bool = False) -> bytes:
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    kwargs = {}
    if exif:
        exif_data = Image.Exif()
        exif_data[0x010F] = "SecretCamera"  # Make
        exif_data[0x8825] = {2: (21.0, 25.0, 0.0)}  # GPS latitude
        kwargs["exif"] = exif_data
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)
