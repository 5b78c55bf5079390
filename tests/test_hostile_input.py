"""Input real feeds produce sooner or later, against the real database: values PostgreSQL refuses, workbooks
beyond every bound (ingestion/limits.py), and an error nobody foresaw. Each costs its row or its file, never
the batch's neighbours or the night. (Text files: tests/test_ingestion.py; API answers: test_source_api.py.)"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import zipfile

import pytest

import ingestion.ingest
from ingestion.ingest import ingest_folder
from ingestion.simulator.generate import SimulationSpec, generate
from ingestion.simulator.reports import write_workbook

TINY = SimulationSpec(cases_per_year=40, start=dt.date(2025, 3, 15), as_of=dt.datetime(2025, 7, 20, 6, 0))
GOOD_ROWS = [("PCTN01", "Số người phải kê khai", "Người", 12), ("PCTN02", "Số người đã kê khai", "Người", 11)]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    landing = tmp_path_factory.mktemp("tiny")
    generate(landing, TINY)
    return landing


@pytest.fixture
def catalogues(db, generated, tmp_path):
    """A landing folder holding the catalogues only, loaded; reports dropped into landing/baocao load after."""
    landing = tmp_path / "landing"
    for path in generated.rglob("dm_*.csv"):
        target = landing / path.relative_to(generated)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    for source in ("motcua", "baocao"):
        assert ingest_folder(db, source, landing).count("loaded") >= 1
    return landing


def _report(landing, name: str, rows=GOOD_ROWS):
    path = landing / "baocao" / name
    write_workbook(path, "SO-TP", "PCTN", "2025-6T", dt.date(2025, 6, 16), rows)
    return path


def _batch(db, path):
    return db.execute(
        "select status, message, rows_loaded, rows_quarantined from audit.batches where location = %s", (str(path),)
    ).fetchone()


MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS = (
    b'<Override PartName="/xl/strings.xml"'
    b' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


def _rewrite(path, part: str, change) -> None:
    """Rewrite (or add) one part of a workbook's zip package: what a hostile sender can do to any part."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts.get(part, b""))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def test_a_whole_number_beyond_integer_in_a_catalogue_costs_its_row(db, generated, tmp_path):
    landing = tmp_path / "landing"
    (landing / "motcua").mkdir(parents=True)
    with open(generated / "motcua" / "dm_tthc.csv", encoding="utf-8", newline="") as handle:
        header, first, *rest = list(csv.reader(handle))
    first[header.index("SoNgayGiaiQuyet")] = "99999999999"
    with open(landing / "motcua" / "dm_tthc.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, first, *rest])
    summary = ingest_folder(db, "motcua", landing)
    assert summary.count("loaded") == 1
    assert summary.rows_loaded == len(rest) and summary.rows_quarantined == 1
    line, reason = db.execute("select line_no, reason from raw.quarantine").fetchone()
    assert line == 2
    assert reason == (
        "SoNgayGiaiQuyet: 99999999999 is outside the whole numbers PostgreSQL stores (-2147483648 to 2147483647)"
    )


def test_a_number_beyond_numeric_in_a_report_costs_its_row(db, catalogues):
    path = _report(
        catalogues, "huge_value.xlsx", [GOOD_ROWS[0], ("PCTN02", "Số người đã kê khai", "Người", "1E+200000")]
    )
    ingest_folder(db, "baocao", catalogues)
    assert _batch(db, path)[0::2] == ("loaded", 1)
    cell, reason = db.execute("select cell, reason from raw.quarantine where location = %s", (str(path),)).fetchone()
    assert (cell, reason) == ("D10", "GiaTri: a number beyond what PostgreSQL stores: '1E+200000'")


def test_a_workbook_larger_than_the_bound_is_rejected_before_it_is_opened(db, catalogues, monkeypatch):
    path = _report(catalogues, "large.xlsx")
    size = path.stat().st_size
    monkeypatch.setenv("WORKBOOK_MAX_BYTES", str(size - 1))
    ingest_folder(db, "baocao", catalogues)
    status, message, *_ = _batch(db, path)
    assert status == "rejected"
    assert message == f"workbook of {size:,} bytes, more than WORKBOOK_MAX_BYTES ({size - 1:,})"


def test_a_zip_bomb_is_rejected_by_what_it_would_unpack_to(db, catalogues):
    path = _report(catalogues, "bomb.xlsx")
    padding = b" " * (21 << 20)  # whitespace between two elements: valid XML, 21 MiB unpacked, ~20 KiB zipped
    _rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b"<sheetData>", b"<sheetData>" + padding))
    assert path.stat().st_size < 100_000
    ingest_folder(db, "baocao", catalogues)
    status, message, *_ = _batch(db, path)
    assert status == "rejected"
    assert message.startswith("workbook unpacks to 22,")
    assert message.endswith("bytes, more than WORKBOOK_MAX_UNPACKED_BYTES (20,971,520): not read")


def _many_rows(count: int):
    return [("PCTN01", "Số người phải kê khai", "Người", n) for n in range(count)]


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("declared_rows", "sheet BaoCao spans 68 rows x 5 columns, more than WORKBOOK_MAX_ROWS (50)"),
        ("hidden_rows", "sheet BaoCao holds more than WORKBOOK_MAX_ROWS (50) rows"),
        ("columns", "sheet BaoCao spans 10 rows x 40 columns, more than WORKBOOK_MAX_ROWS (50) x WORKBOOK_MAX_COLUMNS"),
        ("texts", "the workbook holds more than 300 distinct texts (WORKBOOK_MAX_ROWS x WORKBOOK_MAX_COLUMNS)"),
    ],
)
def test_a_sheet_beyond_the_row_column_or_text_bounds_is_rejected(db, catalogues, monkeypatch, case, expected):
    monkeypatch.setenv("WORKBOOK_MAX_ROWS", "50")
    monkeypatch.setenv("WORKBOOK_MAX_COLUMNS", "6")
    if case == "declared_rows":
        path = _report(catalogues, "rows.xlsx", _many_rows(60))
    elif case == "hidden_rows":  # the sheet's <dimension> claims 10 rows; its data holds 60
        path = _report(catalogues, "hidden.xlsx", _many_rows(60))
        _rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b'ref="A1:E68"', b'ref="A1:E10"'))
    elif case == "columns":
        path = _report(catalogues, "wide.xlsx")
        _rewrite(path, "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b'ref="A1:E10"', b'ref="A1:AN10"'))
    else:  # more distinct texts than the sheet's cells could hold, kept out of sight in the shared strings
        path = _report(catalogues, "texts.xlsx")
        texts = b"".join(b"<si><t>text %d</t></si>" % n for n in range(301))
        _rewrite(path, "xl/strings.xml", lambda _: b'<sst xmlns="%s">%s</sst>' % (MAIN, texts))
        _rewrite(path, "[Content_Types].xml", lambda xml: xml.replace(b"</Types>", SHARED_STRINGS + b"</Types>"))
    ingest_folder(db, "baocao", catalogues)
    status, message, *_ = _batch(db, path)
    assert status == "rejected"
    assert message.startswith(expected), message


def test_an_unforeseen_error_costs_its_file_only_and_the_rerun_retries_just_that_file(
    db, generated, tmp_path, monkeypatch
):
    landing = tmp_path / "landing"
    shutil.copytree(generated, landing)
    files = sorted((landing / "motcua").glob("hoso*.jsonl"))
    victim = files[len(files) // 2]
    real_reader = ingestion.ingest.read_text_file

    def reader_with_a_bug(path, entity):  # a bug in the loader, for one file: nobody foresaw it
        if path == victim:
            raise ZeroDivisionError("division by zero")
        return real_reader(path, entity)

    monkeypatch.setattr(ingestion.ingest, "read_text_file", reader_with_a_bug)
    first = ingest_folder(db, "motcua", landing)
    assert first.count("failed") == 1
    assert first.as_dict()["failed"] == [{"location": str(victim), "message": "ZeroDivisionError: division by zero"}]
    assert first.count("loaded") == len(list((landing / "motcua").iterdir())) - 1  # every other file loaded
    assert first.describe().endswith(f"0 rejected, 1 failed; {first.rows_loaded} rows loaded, 0 quarantined")
    assert _batch(db, victim)[:3] == ("failed", "ZeroDivisionError: division by zero", 0)
    assert (
        db.execute("select count(*) from raw.motcua_cases where _source_location = %s", (str(victim),)).fetchone()[0]
        == 0
    )

    monkeypatch.setattr(ingestion.ingest, "read_text_file", real_reader)  # the bug is fixed; the next night
    second = ingest_folder(db, "motcua", landing)
    assert [b.location for b in second.batches if b.status == "loaded"] == [str(victim)]
    assert second.count("skipped") == len(first.batches) - 1
    lines = len(victim.read_text(encoding="utf-8").splitlines())
    assert (
        db.execute("select count(*) from raw.motcua_cases where _source_location = %s", (str(victim),)).fetchone()[0]
        == lines
    )


def test_a_rejection_that_quotes_kilobytes_of_input_leaves_the_connection_usable(db):
    """psycopg 3.3 loses the connection when a COPY ends with an error text of ~10,000 characters; the loader ends
    the COPY first and raises after, so a long rejection is recorded (shortened) and the next batch loads."""
    from ingestion.contracts import MOTCUA_AGENCIES
    from ingestion.loader import Loader
    from ingestion.raw_schema import ensure_raw_schema
    from ingestion.readers import FileRejected, SourceRow

    ensure_raw_schema(db)
    agency = {"MaDonVi": "SO-TP", "TenDonVi": "Sở Tư pháp", "LoaiDonVi": "SO", "HieuLucTu": "2020-01-01"}

    def rows_then_a_long_rejection():
        yield SourceRow(1, agency)
        raise FileRejected("the header quotes " + "x" * 20_000)

    loader = Loader(db)
    rejected = loader.load(MOTCUA_AGENCIES, "long.csv", rows_then_a_long_rejection(), content_sha256=None)
    assert rejected.status == "rejected" and len(rejected.message) == 4000
    loaded = loader.load(MOTCUA_AGENCIES, "next.csv", [SourceRow(1, agency)], content_sha256=None)
    assert loaded.status == "loaded"
    assert db.execute("select _source_location from raw.motcua_agencies").fetchall() == [("next.csv",)]
