"""Property-based tests (hypothesis) of the readers and the formatter, through the real loader into PostgreSQL.

Whatever a file holds - random bytes, any JSON value in any field, a workbook with any cell values, a damaged
workbook package - the only outcomes are rows loaded, rows quarantined with a reason and a location, or the
file rejected with a reason. Never a failed batch (an exception nobody foresaw, or a value COPY refuses).
Examples per test are few (FUZZ_EXAMPLES) and nothing is remembered between runs, so the module stays short.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import os

import pytest
from conftest import new_database
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingestion.contracts import BAOCAO_VALUES, ENTITIES
from ingestion.loader import Loader
from ingestion.raw_schema import ensure_raw_schema
from ingestion.readers import FileRejected, WorkbookNotes, read_report_workbook, read_text_file
from ingestion.simulator.reports import INDICATORS, write_workbook

TEXT_ENTITIES = [e for e in ENTITIES if e is not BAOCAO_VALUES]
FUZZ = settings(  # FUZZ_EXAMPLES=2000 for a long hunt; the suite's default keeps the module near 15 s
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "50")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
VALID = {  # one value of each kind that passes the contract, for the fields a test leaves alone
    "text": "Hồ sơ",
    "int": 1,
    "bool": True,
    "timestamp": "2025-08-04T09:00:00",
    "date": "2025-08-04",
    "number": 1.5,
}
# any JSON value: every character (NUL, lone surrogates, RTL marks), huge and negative numbers, nesting
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
_names = itertools.count()


@pytest.fixture(scope="module")
def loader(server_url, tmp_path_factory):
    import psycopg

    url = new_database(server_url, "fuzz")
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_raw_schema(conn)
        yield Loader(conn, run_id="fuzz"), conn, tmp_path_factory.mktemp("fuzz")


def _valid_record(entity) -> dict:
    return {f.name: (f.choices[0] if f.choices else VALID[f.kind]) for f in entity.fields}


def _assert_only_allowed_outcomes(conn, result, location: str) -> None:
    assert result.status in ("loaded", "rejected"), f"{result.status}: {result.message}"
    if result.status == "rejected":
        assert result.message and result.rows_loaded == 0
        return
    assert result.rows_loaded + result.rows_quarantined == result.rows_read
    stored = conn.execute(
        "select count(*), count(*) filter (where reason <> '' and line_no is not null) from raw.quarantine"
        " where batch_id = %s",
        (result.batch_id,),
    ).fetchone()
    assert stored == (result.rows_quarantined, result.rows_quarantined), location  # each with reason and line


def _load_file(loader, entity, name: str, data: bytes):
    load, conn, folder = loader
    path = folder / f"{next(_names)}-{name}"
    path.write_bytes(data)
    try:
        rows = read_text_file(path, entity)
        result = load.load(entity, str(path), rows, content_sha256=None)
    except FileRejected as exc:  # raised before the batch began (e.g. an unsupported type): also a reason
        assert str(exc)
        return
    _assert_only_allowed_outcomes(conn, result, str(path))


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
@pytest.mark.parametrize("entity", TEXT_ENTITIES, ids=lambda e: e.name)
@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_as_a_text_file(loader, entity, suffix, data):
    _load_file(loader, entity, f"random{suffix}", data)


@pytest.mark.parametrize("entity", TEXT_ENTITIES, ids=lambda e: e.name)
@FUZZ
@given(data=st.data())
def test_any_json_value_in_any_field(loader, entity, data):
    records = []
    for _ in range(data.draw(st.integers(1, 4))):
        record = _valid_record(entity)
        for field in data.draw(st.sets(st.sampled_from([f.name for f in entity.fields]), max_size=4)):
            record[field] = data.draw(JSON_VALUES)
        records.append(record)
    ascii_only = data.draw(st.booleans())
    try:
        text = "\n".join(json.dumps(r, ensure_ascii=ascii_only) for r in records) + "\n"
        payload = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate cannot be UTF-8: the file is then written escaped
        payload = ("\n".join(json.dumps(r) for r in records) + "\n").encode()
    _load_file(loader, entity, "values.jsonl", payload)


@pytest.mark.parametrize("entity", TEXT_ENTITIES, ids=lambda e: e.name)
@FUZZ
@given(data=st.data())
def test_any_text_in_any_csv_field(loader, entity, data):
    header = [f.name for f in entity.fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for _ in range(data.draw(st.integers(1, 4))):
        record = {k: ("true" if v is True else str(v)) for k, v in _valid_record(entity).items()}
        for field in data.draw(st.sets(st.sampled_from(header), max_size=4)):
            record[field] = data.draw(st.text(st.characters(exclude_categories=("Cs",)), max_size=40))
        writer.writerow([record[name] for name in header])
    _load_file(loader, entity, "values.csv", buffer.getvalue().encode("utf-8"))


CELL_VALUES = (
    st.none()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | st.dates(min_value=dt.date(1900, 1, 1))
    # openpyxl cannot write the XML-illegal control characters, so no workbook holds them
    | st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=30)
    | st.sampled_from(["=SUM(D9:D10)", "1E+200000", "-0", " 12 ", "PCTN01", "SO-TP", "2025-6T"])
)
KNOWN_INDICATORS = {code: report_type for code, report_type, *_ in INDICATORS}


def _load_workbook(loader, data: bytes):
    load, conn, _ = loader
    notes: list[str] = []
    received = dt.datetime(2025, 6, 20, tzinfo=dt.UTC)
    location = f"fuzz-{next(_names)}.xlsx"
    try:
        rows = read_report_workbook(data, received, {"SO-TP"}, KNOWN_INDICATORS, WorkbookNotes(notes))
        result = load.load(BAOCAO_VALUES, location, rows, content_sha256=None, notes=notes)
    except FileRejected as exc:  # rejected before the batch began: the loader records it (tests/test_ingestion)
        assert str(exc)
        return
    _assert_only_allowed_outcomes(conn, result, location)


@FUZZ
@given(
    header=st.tuples(
        st.sampled_from(["SO-TP", "SO-KHONG-CO", ""]) | CELL_VALUES,
        st.sampled_from(["PCTN", "CCHC"]) | CELL_VALUES,
        st.sampled_from(["2025-6T", "2025-NAM", "2021-6T"]) | CELL_VALUES,
        st.sampled_from([dt.date(2025, 6, 16)]) | CELL_VALUES,
    ),
    rows=st.lists(st.tuples(st.sampled_from(sorted(KNOWN_INDICATORS)) | CELL_VALUES, CELL_VALUES), max_size=12),
)
def test_any_cell_values_in_a_report_workbook(loader, tmp_path, header, rows):
    path = tmp_path / f"{next(_names)}.xlsx"
    table = [(code, "Tên chỉ tiêu", "Người", value) for code, value in rows]
    write_workbook(path, header[0], header[1], header[2], header[3], table)
    _load_workbook(loader, path.read_bytes())


@pytest.fixture(scope="module")
def good_package(tmp_path_factory) -> bytes:
    """One good workbook, made once: openpyxl stamps the time into each file it writes."""
    path = tmp_path_factory.mktemp("package") / "good.xlsx"
    write_workbook(path, "SO-TP", "PCTN", "2025-6T", dt.date(2025, 6, 16), [(c, "Tên", "Người", 1) for c in "AB"])
    return path.read_bytes()


@FUZZ
@given(data=st.data())
def test_a_damaged_workbook_package(loader, good_package, data):
    package = bytearray(good_package)
    for _ in range(data.draw(st.integers(1, 8))):  # flip bytes anywhere: headers, compressed data, directory
        position = data.draw(st.integers(0, len(package) - 1))
        package[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        package = package[: data.draw(st.integers(0, len(package)))]  # or cut it short
    _load_workbook(loader, bytes(package))
