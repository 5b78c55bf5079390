"""Write the extract tables: one .xlsx workbook (a sheet per table) and one CSV per table.

Headers are frozen, columns get number formats and widths; every text goes through `safe.neutralise`.
The bytes depend only on the content: the workbook's zip entries and document properties carry the data's
date, not the time of writing, so re-running a period gives identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .safe import neutralise

FORMATS = {
    "int": "#,##0",
    "rate": "0.00%",
    "change": "+0.00%;-0.00%;0.00%",
    "points": "0.00",
    "date": "dd/mm/yyyy",
    "number": "#,##0.##",
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # in Vietnamese
    kind: str = "text"  # text | int | rate | change | points | date | number | met
    width: int = 14


@dataclass
class Table:
    name: str  # sheet name (Vietnamese, at most 31 characters)
    slug: str  # file name of the CSV
    title: str  # a line above the header
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    note: str | None = None


def _cell(value, kind: str):
    if kind == "met":
        return "" if value is None else ("Đạt" if value else "Không đạt")
    if value is None:
        return None
    if kind in ("int",) and not isinstance(value, bool):
        return int(value)
    if kind in ("rate", "change", "points", "number"):
        return float(value)
    return neutralise(value)


def write_workbook(tables: list[Table], as_of: dt.datetime) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(table.name[:31])
        ws.cell(row=1, column=1, value=neutralise(table.title)).font = Font(bold=True, size=12)
        first = 2
        if table.note:
            ws.cell(row=2, column=1, value=neutralise(table.note)).alignment = Alignment(wrap_text=False)
            first = 3
        for col, column in enumerate(table.columns, start=1):
            cell = ws.cell(row=first, column=col, value=column.header)
            cell.font, cell.fill = Font(bold=True), HEADER_FILL
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            ws.column_dimensions[get_column_letter(col)].width = column.width
        for r, row in enumerate(table.rows, start=first + 1):
            for col, column in enumerate(table.columns, start=1):
                cell = ws.cell(row=r, column=col, value=_cell(row.get(column.key), column.kind))
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # text stays text, whatever it starts with
                elif column.kind in FORMATS:
                    cell.number_format = FORMATS[column.kind]
        ws.freeze_panes = ws.cell(row=first + 1, column=1)
    wb.properties.creator = "Kho dữ liệu chỉ số Khánh Hòa"
    wb.properties.created = wb.properties.modified = as_of.replace(tzinfo=None, microsecond=0)
    buffer = io.BytesIO()
    wb.save(buffer)
    return _reproducible_zip(buffer.getvalue(), as_of)


def _reproducible_zip(data: bytes, as_of: dt.datetime) -> bytes:
    """The same workbook, with fixed entry times and document dates (openpyxl stamps the time of saving)."""
    stamp = as_of.strftime("%Y-%m-%dT%H:%M:%SZ")
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp.encode(), content)
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()


def write_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Vietnamese correctly); one header line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in table.columns])
    for row in table.rows:
        values = []
        for column in table.columns:
            value = _cell(row.get(column.key), column.kind)
            values.append(
                "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".") if isinstance(value, float) else value
            )
        writer.writerow(values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
