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
from .limits import Limits, limits

PERIOD_RE = re.compile(r"^(\d{4})-(6T|NAM)$")


class FileRejected(Exception):
    """The file as a whole breaks the contract; nothing of it is loaded."""


class SourceRow(NamedTuple):
    line: int  # line number in a text file, row number in a workbook
    record: dict | None
    error: str | None = None
    raw: str | None = None  # the original text, kept in quarantine (only for rows that could not be parsed)
    cell: str | None = None  # the cell, for workbooks (an envelope's data[i] for portal files)
    derived: tuple[dict, ...] = ()  # records of the entity's companion that this one carries (docs/sources.md §4)


def _bounded_lines(handle, limit: int) -> Iterator[tuple[int, bytes | None]]:
    """The lines of a binary file as (number, bytes); a line longer than `limit` bytes comes as None, read past
    in chunks without being kept, so memory never follows a line's length."""
    number = 0
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := handle.readline(1 << 16)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, line


def _text_lines(path: Path) -> Iterator[tuple[int, str]]:
    bound = limits().record_bytes
    with open(path, "rb") as handle:
        for number, raw in _bounded_lines(handle, bound):
            if raw is None:
                raise FileRejected(f"line {number} is longer than MAX_RECORD_BYTES ({bound:,} bytes)")
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise FileRejected(f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at line {number}") from None
            if number == 1:
                text = text.removeprefix("\ufeff")
            yield number, text


def read_jsonl(path: Path, entity: Entity) -> Iterator[SourceRow]:
    seen_object = False
    bound = limits().record_bytes
    with open(path, "rb") as handle:
        for number, raw in _bounded_lines(handle, bound):
            if raw is None:
                yield SourceRow(number, None, f"record longer than MAX_RECORD_BYTES ({bound:,} bytes): not read")
                continue
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
    except csv.Error as exc:
        raise FileRejected(f"the header line is not CSV: {exc}") from None
    header = [h.strip() for h in header]
    missing = [f.name for f in entity.required if f.name not in header]
    missing += [" or ".join(group) for group in entity.required_one_of if not set(group) & set(header)]
    if missing:
        raise FileRejected(f"missing header columns: {', '.join(missing)} (found: {', '.join(header)[:200]})")
    width = len(header)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a bare carriage return, a field beyond csv.field_size_limit(): that row only
            yield SourceRow(stream.line, None, f"not a CSV row: {exc}")
            continue
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


def read_json_document(path: Path, bound: int, what: str) -> object:
    """A file that is one JSON document (read whole, so only within `bound`, DVCQG_MAX_ENVELOPE_BYTES)."""
    size = path.stat().st_size
    if size > bound:
        raise FileRejected(f"{what} of {size:,} bytes, more than DVCQG_MAX_ENVELOPE_BYTES ({bound:,})")
    try:
        return orjson.loads(path.read_bytes().removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as exc:
        raise FileRejected(f"{what}: not a JSON document ({exc})") from None


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


def _error(exc: Exception) -> str:
    """A parser's error, short: some quote kilobytes of the damaged input."""
    text = str(exc)
    return f"{type(exc).__name__}: {text[:200]}{'…' if len(text) > 200 else ''}"


def _stream_elements(archive: zipfile.ZipFile, part: str, wanted: tuple[str, ...]) -> Iterator:
    """The `wanted` elements of one XML part of the package, each dropped from the tree once seen, so memory
    follows one element, not the part."""
    from xml.etree.ElementTree import iterparse

    parents = []
    try:
        with archive.open(part.lstrip("/")) as source:
            for event, element in iterparse(source, events=("start", "end")):
                if event == "start":
                    parents.append(element)
                    continue
                parents.pop()
                if element.tag.rsplit("}", 1)[-1] in wanted:
                    yield element
                    if parents:
                        parents[-1].remove(element)
    except FileRejected:
        raise
    except Exception as exc:  # a damaged or hostile package trips zipfile, zlib or expat in many ways
        raise FileRejected(f"not an Excel workbook (.xlsx): {part}: {_error(exc)}") from None


def _merged_ranges(archive: zipfile.ZipFile, sheet_path: str, bounds: Limits) -> list[tuple[str, int, int]]:
    """The merged ranges of a sheet below the table header, as (range, first row, last row), read by streaming
    its XML; more rows or merged ranges than WORKBOOK_MAX_ROWS rejects the workbook before any row is read."""
    from openpyxl.utils.cell import range_boundaries

    found, rows = [], 0
    for element in _stream_elements(archive, sheet_path, ("row", "mergeCell")):
        if element.tag.endswith("row"):
            rows += 1
        else:
            ref = element.get("ref", "")
            try:
                _, first, _, last = range_boundaries(ref)
            except (ValueError, TypeError):
                raise FileRejected(f"sheet BaoCao: merged range {ref[:40]!r} is not a cell range") from None
            if last > TABLE_HEADER_ROW:  # rows past the bound are rejected anyway: never expanded
                found.append((ref, max(first, TABLE_HEADER_ROW + 1), min(last, bounds.workbook_rows)))
        if rows > bounds.workbook_rows or len(found) > bounds.workbook_rows:
            raise FileRejected(f"sheet BaoCao holds more than WORKBOOK_MAX_ROWS ({bounds.workbook_rows:,}) rows")
    return found


def _check_shared_strings(archive: zipfile.ZipFile, bounds: Limits) -> None:
    """openpyxl keeps every shared string in memory: no more than the sheet's cells may hold. The part is found
    the way openpyxl finds it, by its content type."""
    most = bounds.workbook_rows * bounds.workbook_columns
    for override in _stream_elements(archive, "[Content_Types].xml", ("Override",)):
        if not override.get("ContentType", "").endswith(".sharedStrings+xml"):
            continue
        for count, _ in enumerate(_stream_elements(archive, override.get("PartName", ""), ("si",)), start=1):
            if count > most:
                raise FileRejected(
                    f"the workbook holds more than {most:,} distinct texts (WORKBOOK_MAX_ROWS x WORKBOOK_MAX_COLUMNS)"
                )


def read_report_workbook(
    data: bytes,
    received_at: dt.datetime | None,  # NgayNop: the reporting system's receipt (API); None for a dropped file
    known_agencies: set[str],
    known_indicators: dict[str, str],
    notes: WorkbookNotes,
    bounds: Limits | None = None,
) -> Iterator[SourceRow]:
    """Rows of one report workbook (sheet `BaoCao`, header cells B2..B5, table header on row 8), streamed: the
    workbook is opened read-only and read row by row, its header checked before any table row, and every size
    bounded (ingestion/limits.py) before the part that could exceed it is read."""
    from openpyxl import load_workbook

    bounds = bounds or limits()
    if len(data) > bounds.workbook_bytes:
        raise FileRejected(f"workbook of {len(data):,} bytes, more than WORKBOOK_MAX_BYTES ({bounds.workbook_bytes:,})")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileRejected("not an Excel workbook (.xlsx): the file is not a zip package")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # BadZipFile, NotImplementedError (an unknown zip version), ...
        raise FileRejected(f"not an Excel workbook (.xlsx): {_error(exc)}") from None
    if unpacked > bounds.workbook_unpacked_bytes:
        raise FileRejected(
            f"workbook unpacks to {unpacked:,} bytes, more than WORKBOOK_MAX_UNPACKED_BYTES"
            f" ({bounds.workbook_unpacked_bytes:,}): not read"
        )
    try:
        _check_shared_strings(archive, bounds)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except FileRejected:
        raise
    except Exception as exc:  # whatever openpyxl trips on in a damaged package, the file is not a readable workbook
        raise FileRejected(f"not an Excel workbook (.xlsx): {_error(exc)}") from None
    if "BaoCao" not in workbook.sheetnames:
        raise FileRejected(f"no sheet named 'BaoCao' (sheets: {', '.join(workbook.sheetnames)})")
    extra = [name for name in workbook.sheetnames if name != "BaoCao"]
    if extra:
        notes.notes.append(f"ignored extra sheets: {', '.join(extra)}")
    sheet = workbook["BaoCao"]
    declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0  # from its <dimension>, if any
    if declared_rows > bounds.workbook_rows or declared_columns > bounds.workbook_columns:
        raise FileRejected(
            f"sheet BaoCao spans {declared_rows:,} rows x {declared_columns:,} columns, more than WORKBOOK_MAX_ROWS"
            f" ({bounds.workbook_rows:,}) x WORKBOOK_MAX_COLUMNS ({bounds.workbook_columns})"
        )
    yield from _report_rows(
        _parsed(sheet.iter_rows(values_only=True)),
        _merged_ranges(archive, sheet._worksheet_path, bounds),
        received_at,
        known_agencies,
        known_indicators,
        bounds,
    )


def _parsed(rows: Iterator[tuple]) -> Iterator[tuple]:
    """openpyxl's rows; whatever it trips on while parsing the sheet makes the workbook unreadable, not a bug."""
    try:
        yield from rows
    except Exception as exc:
        raise FileRejected(f"sheet BaoCao cannot be read: {_error(exc)}") from None


def _report_rows(rows, merged, received_at, known_agencies, known_indicators, bounds) -> Iterator[SourceRow]:
    header: dict[str, object] = {}
    cells = {int(cell[1:]): (cell, name) for cell, name in HEADER_CELLS.items()}  # row -> (B2, MaDonVi)
    merged_rows = {row: ref for ref, first, last in merged for row in range(first, last + 1)}
    first_seen: dict[str, int] = {}
    report_type = None
    for row, values in enumerate(rows, start=1):
        if row > bounds.workbook_rows or len(values) > bounds.workbook_columns:
            raise FileRejected(
                f"sheet BaoCao goes beyond WORKBOOK_MAX_ROWS ({bounds.workbook_rows:,}) x WORKBOOK_MAX_COLUMNS"
                f" ({bounds.workbook_columns}) at row {row:,}"
            )
        values = (tuple(values) + (None,) * len(TABLE_COLUMNS))[: len(TABLE_COLUMNS)]
        if row in cells:  # a header cell: column B
            cell, name = cells[row]
            value = values[1]
            if value is None or (isinstance(value, str) and not value.strip()):
                raise FileRejected(f"missing header: cell {cell} ({name}) is empty")
            if isinstance(value, str) and value.startswith("="):
                raise FileRejected(f"header cell {cell} ({name}) holds a formula ({value}) instead of a value")
            header[name] = value.strip() if isinstance(value, str) else value
        if row == TABLE_HEADER_ROW:
            report_type = _check_header(header, known_agencies)
            if [str(t).strip() if t else "" for t in values] != list(TABLE_COLUMNS):
                raise FileRejected(f"missing header: row {TABLE_HEADER_ROW} should read {' | '.join(TABLE_COLUMNS)}")
        if row <= TABLE_HEADER_ROW:
            continue
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
    if report_type is None:  # a sheet that ends before its table header
        _check_header(header, known_agencies)
        raise FileRejected(f"missing header: row {TABLE_HEADER_ROW} should read {' | '.join(TABLE_COLUMNS)}")


def _check_header(header: dict[str, object], known_agencies: set[str]) -> str:
    """The header cells B2..B5: present, a known agency, a period code, a date made near the period's cut-off.
    Returns the report type."""
    missing = [f"{c} ({n})" for c, n in HEADER_CELLS.items() if n not in header]
    if missing:
        raise FileRejected(f"missing header: cell {missing[0]} is empty")
    agency, report_type, period = str(header["MaDonVi"]), str(header["LoaiBaoCao"]), str(header["KyBaoCao"])
    if agency not in known_agencies:
        raise FileRejected(f"unknown agency code in B2: {agency!r} (not in dm_donvi)")
    if not PERIOD_RE.match(period):
        raise FileRejected(f"B4 KyBaoCao {period!r} is not a period code like 2025-6T or 2025-NAM")
    made_on = header["NgayLap"]
    made_on = made_on.date() if isinstance(made_on, dt.datetime) else made_on
    if not isinstance(made_on, dt.date):
        raise FileRejected(f"B5 NgayLap is not a date: {made_on!r}")
    header["NgayLap"] = made_on
    cutoff = period_cutoff(period)
    # a report is made shortly after its period's cut-off; one made long before or long after is misfiled
    if not cutoff - dt.timedelta(days=31) <= made_on <= cutoff + dt.timedelta(days=400):
        raise FileRejected(
            f"report for the wrong period: B4 says {period} (cut-off {cutoff}) but B5 NgayLap is {made_on}"
        )
    return report_type
