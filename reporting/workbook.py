"""Write the extract tables: one .xlsx workbook (a sheet per table) and one CSV per table.

Every sheet is laid out the same way so that it prints as an office expects: the title on row 1, the unit
(Đơn vị tính) on row 2, the note on row 3, the header from row 4 (two levels where columns are grouped, as in
the official forms) with a row of column numbers under it, then the data. Printing: A4 landscape, fitted to
the page width, header rows repeated on every page, page numbers in the footer; on screen the header and the
agency columns stay frozen. Total and subtotal rows are bold. Every text goes through `safe.neutralise`.
The bytes depend only on the content: the workbook's zip entries and document properties carry the data's
date, not the time of writing, so re-running a period gives identical files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from .safe import neutralise

FORMATS = {
    "int": "#,##0",
    "rate": "0.00%",
    "change": '+0.00" điểm %";-0.00" điểm %";0.00" điểm %"',  # a difference of two rates: percentage points
    "points": "0.00",
    "date": "dd/mm/yyyy",
    "number": "#,##0",
    "delta": "+#,##0;-#,##0;0",  # a change of a count
}
FONT = "Times New Roman"  # the administrative documents' font (Nghị định 30/2020/NĐ-CP, Phụ lục I)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_ROW = 4  # the first header row of every table sheet
BOLD_ROWS = ("total", "subtotal")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # in Vietnamese
    kind: str = "text"  # text | int | rate | change | points | date | number | delta | met
    width: int = 14
    group: str | None = None  # the upper header over a run of columns (the forms' two-level header)
    sums: tuple[str, ...] = ()  # the keys of the columns this one is the total of: "(1)=(2)+(3)"


@dataclass
class Table:
    name: str  # sheet name (Vietnamese, at most 31 characters)
    slug: str  # file name of the CSV
    title: str  # a line above the header
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)  # a row's "_kind" may be "total" or "subtotal" (bold)
    note: str | None = None
    unit: str | None = None  # Đơn vị tính
    frozen_columns: int = 0  # the leading columns that stay in view (STT, code, name)


@dataclass(frozen=True)
class Cover:
    """The administrative document form of the first sheet and the PDF's first page (Nghị định 30/2020)."""

    issuer_parent: str  # e.g. ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA
    issuer: str  # the body issuing the extract
    number: str  # Số: …/BC-…
    place_date: str  # Khánh Hòa, ngày … tháng … năm …
    title: str
    subtitle: str  # the period
    addressee: str  # Kính gửi
    paragraphs: list[str]
    recipients: list[str]  # Nơi nhận
    signers: list[tuple[str, str]]  # (role, hint), left to right


def _cell(value, kind: str):
    if kind == "met":
        return "" if value is None else ("Đạt" if value else "Không đạt")
    if value is None:
        return None
    if kind in ("int", "number", "delta") and not isinstance(value, bool):
        number = float(value)
        return int(number) if number.is_integer() else number
    if kind in ("rate", "change", "points"):
        return float(value)
    return neutralise(value)


def header_levels(table: Table) -> int:
    return 2 if any(c.group for c in table.columns) else 1


def column_numbers(table: Table) -> list[str]:
    """The forms' column numbers: (1), (2), … and, for a total, "(1)=(2)+(3)" (a run of more: "(1)=(2)+…+(6)")."""
    index = {c.key: n for n, c in enumerate(table.columns, start=1)}

    def total(parts: list[int]) -> str:
        if len(parts) > 3 and parts == list(range(parts[0], parts[-1] + 1)):  # a run: (4)=(5)+…+(9)
            return f"=({parts[0]})+…+({parts[-1]})"
        return "=" + "+".join(f"({n})" for n in parts)

    return [
        f"({n})" + (total([index[k] for k in c.sums]) if c.sums else "") for n, c in enumerate(table.columns, start=1)
    ]


def _header_height(text: str, width: int) -> float:
    lines = sum(math.ceil(max(len(part), 1) / max(width * 0.95, 1)) for part in text.split("\n"))
    return 15.0 * max(lines, 1) + 2


def _write_cover(ws, cover: Cover) -> None:
    """The cover sheet: heading, number, place and date, title, text, recipients and signatures (columns A-H)."""
    for col, width in zip("ABCDEFGH", (14, 16, 16, 16, 16, 16, 16, 16), strict=True):
        ws.column_dimensions[col].width = width
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def put(row: int, first: str, last: str, text: str, font: Font, align: Alignment = center, height=None):
        ws.merge_cells(f"{first}{row}:{last}{row}")
        cell = ws[f"{first}{row}"]
        cell.value, cell.font, cell.alignment = neutralise(text), font, align
        if height:
            ws.row_dimensions[row].height = height

    put(1, "A", "C", cover.issuer_parent, Font(name=FONT, size=12))
    put(1, "D", "H", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Font(name=FONT, size=12, bold=True))
    put(2, "A", "C", cover.issuer, Font(name=FONT, size=12, bold=True, underline="single"), height=32)
    put(2, "D", "H", "Độc lập - Tự do - Hạnh phúc", Font(name=FONT, size=13, bold=True, underline="single"))
    put(4, "A", "C", cover.number, Font(name=FONT, size=13))
    put(4, "D", "H", cover.place_date, Font(name=FONT, size=13, italic=True))
    put(6, "A", "H", cover.title, Font(name=FONT, size=14, bold=True), height=40)
    put(7, "A", "H", cover.subtitle, Font(name=FONT, size=13, bold=True))
    put(9, "A", "H", f"Kính gửi: {cover.addressee}", Font(name=FONT, size=13))
    row = 11
    body = Alignment(horizontal="justify", vertical="top", wrap_text=True)
    for paragraph in cover.paragraphs:
        put(row, "A", "H", paragraph, Font(name=FONT, size=13), body, height=17 * math.ceil(len(paragraph) / 105) + 4)
        row += 1
    row += 1
    ws.merge_cells(f"A{row}:C{row}")
    ws[f"A{row}"].value, ws[f"A{row}"].font = "Nơi nhận:", Font(name=FONT, size=12, bold=True, italic=True)
    for n, (role, hint) in enumerate(cover.signers):
        first, last = ("D", "E") if n == 0 else ("F", "H")
        put(row, first, last, role.upper(), Font(name=FONT, size=13, bold=True))
        put(row + 1, first, last, hint, Font(name=FONT, size=12, italic=True))
    for offset, recipient in enumerate(cover.recipients, start=1):
        ws.merge_cells(f"A{row + offset}:C{row + offset}")
        # an en dash: no cell of ours starts as a formula would (=, +, -, @), even as text
        ws[f"A{row + offset}"].value = f"– {recipient}"
        ws[f"A{row + offset}"].font = Font(name=FONT, size=11)
    _page_setup(ws, None, portrait=True)
    ws.print_area = f"A1:H{row + max(len(cover.recipients), 6)}"


def _page_setup(ws, title_rows: str | None, portrait: bool = False) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait" if portrait else "landscape"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # one page wide, as many pages long as needed
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = FONT


def _write_table(ws, table: Table) -> None:
    levels = header_levels(table)
    span = len(table.columns)
    total_width = sum(c.width for c in table.columns)
    for row, text, font in (
        (1, table.title, Font(name=FONT, size=13, bold=True)),
        (2, f"Đơn vị tính: {table.unit}" if table.unit else None, Font(name=FONT, italic=True)),
        (3, table.note, Font(name=FONT, size=10, italic=True)),
    ):
        if not text:
            continue
        cell = ws.cell(row=row, column=1, value=neutralise(text))
        cell.font, cell.alignment = font, Alignment(wrap_text=True, vertical="top")
        if span > 1:  # across the table, so that it wraps within the printed width
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=span)
        ws.row_dimensions[row].height = 14.0 * math.ceil(len(text) * 1.1 / max(total_width, 1)) + 3
    header_font = Font(name=FONT, bold=True, size=10)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    number_row = HEADER_ROW + levels
    tallest = [15.0] * levels
    col = 1
    while col <= len(table.columns):
        column = table.columns[col - 1]
        span = 1
        if column.group:
            while col + span <= len(table.columns) and table.columns[col + span - 1].group == column.group:
                span += 1
        for offset in range(span):
            sub = table.columns[col - 1 + offset]
            lower = HEADER_ROW + levels - 1
            cell = ws.cell(row=lower, column=col + offset, value=sub.header)
            ws.column_dimensions[get_column_letter(col + offset)].width = sub.width
            tallest[-1] = max(tallest[-1], _header_height(sub.header, sub.width))
            if levels == 2 and not sub.group:  # an ungrouped column's header spans both levels
                ws.cell(row=HEADER_ROW, column=col + offset, value=sub.header)
                cell.value = None
                ws.merge_cells(start_row=HEADER_ROW, start_column=col + offset, end_row=lower, end_column=col + offset)
        if levels == 2 and column.group:
            ws.cell(row=HEADER_ROW, column=col, value=column.group)
            width = sum(table.columns[col - 1 + o].width for o in range(span))
            tallest[0] = max(tallest[0], _header_height(column.group, width))
            if span > 1:
                ws.merge_cells(start_row=HEADER_ROW, start_column=col, end_row=HEADER_ROW, end_column=col + span - 1)
        col += span
    numbers = column_numbers(table)
    for n, text in enumerate(numbers, start=1):
        ws.cell(row=number_row, column=n, value=text).font = Font(name=FONT, italic=True, size=9)
        ws.cell(row=number_row, column=n).alignment = Alignment(horizontal="center", wrap_text=True)
        ws.cell(row=number_row, column=n).border = BOX
        for r in range(HEADER_ROW, number_row):
            cell = ws.cell(row=r, column=n)
            cell.font, cell.fill, cell.alignment, cell.border = header_font, HEADER_FILL, wrap, BOX
    ws.row_dimensions[number_row].height = max(  # 9 pt italic: about 1.2 characters per unit of width
        12.0 * math.ceil(len(text) / (column.width * 1.2)) + 2
        for text, column in zip(numbers, table.columns, strict=True)
    )
    for level, height in enumerate(tallest):
        ws.row_dimensions[HEADER_ROW + level].height = height
    body_font, bold_font = Font(name=FONT, size=10), Font(name=FONT, size=10, bold=True)
    for r, row in enumerate(table.rows, start=number_row + 1):
        font = bold_font if row.get("_kind") in BOLD_ROWS else body_font
        for n, column in enumerate(table.columns, start=1):
            cell = ws.cell(row=r, column=n, value=_cell(row.get(column.key), column.kind))
            cell.font, cell.border = font, BOX
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, whatever it starts with
                if column.kind == "met" and cell.value == "Không đạt":
                    cell.font = bold_font  # a missed target stands out in black and white too
                cell.alignment = Alignment(wrap_text=column.width >= 30, vertical="top")
            elif column.kind in FORMATS:
                cell.number_format = FORMATS[column.kind]
            if column.key == "stt":
                cell.alignment = Alignment(horizontal="center", vertical="top")
    last = get_column_letter(len(table.columns))
    ws.freeze_panes = ws.cell(row=number_row + 1, column=table.frozen_columns + 1)
    if table.rows:
        ws.auto_filter.ref = f"A{number_row}:{last}{number_row + len(table.rows)}"  # arrows on the numbers row
    _page_setup(ws, f"{HEADER_ROW}:{number_row}")
    ws.print_area = f"A1:{last}{number_row + max(len(table.rows), 1)}"


def write_workbook(tables: list[Table], as_of: dt.datetime, cover: Cover | None = None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    if cover is not None:
        _write_cover(wb.create_sheet("Báo cáo"), cover)
    for table in tables:
        _write_table(wb.create_sheet(table.name[:31]), table)
    wb.properties.creator = "Kho dữ liệu chỉ số Khánh Hòa"
    wb.properties.created = wb.properties.modified = as_of.replace(tzinfo=None, microsecond=0)
    buffer = io.BytesIO()
    wb.save(buffer)
    return reproducible_zip(buffer.getvalue(), as_of)


def reproducible_zip(data: bytes, as_of: dt.datetime) -> bytes:
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


def csv_header(column: Column) -> str:
    """One header line for machines: the upper header joined to the lower one."""
    return f"{column.group} – {column.header}" if column.group else column.header


def write_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads Vietnamese correctly); one header line; the rows of the
    sheet, totals and subtotals included (their STT is empty or a Roman numeral); rates as fractions."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_header(c) for c in table.columns])
    for row in table.rows:
        values = []
        for column in table.columns:
            value = _cell(row.get(column.key), column.kind)
            values.append(
                "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".") if isinstance(value, float) else value
            )
        writer.writerow(values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
