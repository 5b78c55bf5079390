"""Readers for the file-drop shapes: JSON Lines, CSV and the agency report workbook.

A reader yields `SourceRow`s, each with its location in the file, and raises `FileRejected` when the whole
file is not what it claims to be (not UTF-8, not JSON Lines, a CSV without the contract's header, not a
workbook, no `BaoCao` sheet, missing header cells). A row that cannot be parsed is yielded with its error,
so the loader can quarantine it and keep the rest.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import orjson

from .contracts import Entity

PERIOD_RE = re.compile(r"^(\d{4})-(6T|NAM)$")


class FileRejected(Exception):
    """The file as a whole breaks the contract; nothing of it is loaded."""


class SourceRow(NamedTuple):
    line: int  # line number in a text file, row number in a workbook
    record: dict | None
    error: str | None = None
    raw: str | None = None  # the original text, kept in quarantine (only for rows that could not be parsed)
    cell: str | None = None  # the cell, for workbooks


def _text_lines(path: Path) -> Iterator[tuple[int, str]]:
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FileRejected(f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {number}") from None
            if number == 1:
                text = text.removeprefix("\ufeff")
            yield number, text


def read_jsonl(path: Path, entity: Entity) -> Iterator[SourceRow]:
    seen_object = False
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                record = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as bad:
                    raise FileRejected(f"not UTF-8 text: byte 0x{raw[bad.start]:02x} at line {number}") from None
                if not text.strip():
                    continue
                if not seen_object:
                    raise FileRejected(f"not JSON Lines: line {number} is not a JSON object ({exc})") from None
                yield SourceRow(number, None, f"invalid JSON: {exc}", text.rstrip("\r\n"))
                continue
            if record.__class__ is not dict:
                yield SourceRow(
                    number,
                    None,
                    f"expected a JSON object, got {type(record).__name__}",
                    raw.decode("utf-8", "replace").rstrip("\r\n"),
                )
                continue
            seen_object = True
            yield SourceRow(number, record)


def read_csv(path: Path, entity: Entity) -> Iterator[SourceRow]:
    lines = _text_lines(path)
    stream = _LineStream(lines)
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        raise FileRejected("empty file: no header row") from None
    header = [h.strip() for h in header]
    missing = [f.name for f in entity.required if f.name not in header]
    if missing:
        raise FileRejected(f"missing header columns: {', '.join(missing)} (found: {', '.join(header)[:200]})")
    width = len(header)
    for row in reader:
        number = stream.line
        if not row:
            continue
        if len(row) != width:
            yield SourceRow(number, None, f"{len(row)} columns where the header has {width}", ",".join(row))
            continue
        yield SourceRow(number, dict(zip(header, row, strict=True)))


class _LineStream:
    """Feeds csv.reader line by line while remembering the current line number."""

    def __init__(self, lines: Iterator[tuple[int, str]]):
        self.lines, self.line = lines, 0

    def __iter__(self):
        return self

    def __next__(self) -> str:
        self.line, text = next(self.lines)
        return text


def read_text_file(path: Path, entity: Entity) -> Iterator[SourceRow]:
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return read_jsonl(path, entity)
    if suffix == ".csv":
        return read_csv(path, entity)
    raise FileRejected(f"unsupported file type {suffix!r}: expected .jsonl or .csv")


# -- agency report workbooks ----------------------------------------------------------------------------
HEADER_CELLS = {"B2": "MaDonVi", "B3": "LoaiBaoCao", "B4": "KyBaoCao", "B5": "NgayLap"}
TABLE_HEADER_ROW = 8
TABLE_COLUMNS = ("MaChiTieu", "TenChiTieu", "DonViTinh", "GiaTri", "GhiChu")


@dataclass
class WorkbookNotes:
    """What the reader noticed without rejecting the file (reported in the batch ledger)."""

    notes: list[str]


def period_cutoff(period: str) -> dt.date:
    match = PERIOD_RE.match(period)
    if not match:
        raise ValueError(period)
    return dt.date(int(match.group(1)), 6 if match.group(2) == "6T" else 12, 14)


def read_report_workbook(
    data: bytes,
    received_at: dt.datetime,
    known_agencies: set[str],
    known_indicators: dict[str, str],
    notes: WorkbookNotes,
) -> Iterator[SourceRow]:
    """Rows of one report workbook (sheet `BaoCao`, header cells B2..B5, table header on row 8)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileRejected("not an Excel workbook (.xlsx): the file is not a zip package")
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=False)
    except (InvalidFileException, KeyError, zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileRejected(f"not an Excel workbook (.xlsx): {exc}") from None
    if "BaoCao" not in workbook.sheetnames:
        raise FileRejected(f"no sheet named 'BaoCao' (sheets: {', '.join(workbook.sheetnames)})")
    extra = [name for name in workbook.sheetnames if name != "BaoCao"]
    if extra:
        notes.notes.append(f"ignored extra sheets: {', '.join(extra)}")
    sheet = workbook["BaoCao"]

    header: dict[str, object] = {}
    for cell, name in HEADER_CELLS.items():
        value = sheet[cell].value
        if value is None or (isinstance(value, str) and not value.strip()):
            raise FileRejected(f"missing header: cell {cell} ({name}) is empty")
        if isinstance(value, str) and value.startswith("="):
            raise FileRejected(f"header cell {cell} ({name}) holds a formula ({value}) instead of a value")
        header[name] = value.strip() if isinstance(value, str) else value
    agency, report_type, period = str(header["MaDonVi"]), str(header["LoaiBaoCao"]), str(header["KyBaoCao"])
    if agency not in known_agencies:
        raise FileRejected(f"unknown agency code in B2: {agency!r} (not in dm_donvi)")
    if not PERIOD_RE.match(period):
        raise FileRejected(f"B4 KyBaoCao {period!r} is not a period code like 2025-6T or 2025-NAM")
    made_on = header["NgayLap"]
    made_on = made_on.date() if isinstance(made_on, dt.datetime) else made_on
    if not isinstance(made_on, dt.date):
        raise FileRejected(f"B5 NgayLap is not a date: {made_on!r}")
    cutoff = period_cutoff(period)
    # a report is made shortly after its period's cut-off; one made long before or long after is misfiled
    if not cutoff - dt.timedelta(days=31) <= made_on <= cutoff + dt.timedelta(days=400):
        raise FileRejected(
            f"report for the wrong period: B4 says {period} (cut-off {cutoff}) but B5 NgayLap is {made_on}"
        )
    titles = [sheet.cell(row=TABLE_HEADER_ROW, column=c).value for c in range(1, len(TABLE_COLUMNS) + 1)]
    if [str(t).strip() if t else "" for t in titles] != list(TABLE_COLUMNS):
        raise FileRejected(f"missing header: row {TABLE_HEADER_ROW} should read {' | '.join(TABLE_COLUMNS)}")

    merged_rows = {}
    for merged in sheet.merged_cells.ranges:
        if merged.max_row > TABLE_HEADER_ROW:
            for row in range(max(merged.min_row, TABLE_HEADER_ROW + 1), merged.max_row + 1):
                merged_rows[row] = str(merged)
    first_seen: dict[str, int] = {}
    for row in range(TABLE_HEADER_ROW + 1, sheet.max_row + 1):
        values = [sheet.cell(row=row, column=c).value for c in range(1, len(TABLE_COLUMNS) + 1)]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        record = dict(zip(TABLE_COLUMNS, values, strict=True))
        raw = " | ".join("" if v is None else str(v) for v in values)
        if row in merged_rows:
            yield SourceRow(row, None, f"merged cells {merged_rows[row]} in the table", raw, f"A{row}")
            continue
        code = str(record["MaChiTieu"] or "").strip()
        if code not in known_indicators:
            yield SourceRow(row, None, f"unknown indicator code {code!r} (not in dm_chitieu)", raw, f"A{row}")
            continue
        if known_indicators[code] != report_type:
            yield SourceRow(
                row, None, f"indicator {code} belongs to {known_indicators[code]}, not {report_type}", raw, f"A{row}"
            )
            continue
        if code in first_seen:
            yield SourceRow(row, None, f"duplicated indicator {code} (first on row {first_seen[code]})", raw, f"A{row}")
            continue
        first_seen[code] = row
        value = record["GiaTri"]
        if isinstance(value, str) and value.startswith("="):
            yield SourceRow(row, None, f"GiaTri: a formula ({value}) instead of a value", raw, f"D{row}")
            continue
        yield SourceRow(row, {**header, **record, "NgayNop": received_at}, raw=raw, cell=f"D{row}")
