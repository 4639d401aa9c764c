"""CSV and XLSX files for organizers and accountants: Arabic opens correctly in Excel, formulas stay text."""

from __future__ import annotations

import csv
import io


def safe_cell(value):
    # Spreadsheet formula injection: a leading =, +, - or @ in a name must stay text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") and not value[1:2].isdigit():
        return "'" + value
    return value


def export_csv(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens Arabic correctly


def export_xlsx(rows, *, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
