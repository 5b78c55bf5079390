"""Loading file drops into raw: contract checks, quarantine, rejection, idempotence, crash safety, NFC."""

from __future__ import annotations

import datetime as dt
import shutil
import unicodedata

import pytest
from conftest import check_bad_input

from ingestion.contracts import MOTCUA_CASES
from ingestion.ingest import ingest_folder
from ingestion.loader import Loader
from ingestion.raw_schema import ensure_raw_schema
from ingestion.readers import SourceRow
from ingestion.simulator.bad_inputs import write_bad_inputs
from ingestion.simulator.generate import SimulationSpec, generate

SMALL = SimulationSpec(cases_per_year=150, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 7, 20, 6, 0))


@pytest.fixture(scope="module")
def small_landing(tmp_path_factory):
    landing = tmp_path_factory.mktemp("landing")
    counts = generate(landing, SMALL)
    return landing, counts


def _copy(landing, tmp_path):
    target = tmp_path / "landing"
    shutil.copytree(landing, target)
    return target


def load_all(db, landing):
    return {source: ingest_folder(db, source, landing) for source in ("motcua", "pakn", "baocao")}


def test_a_clean_delivery_loads_every_row_and_quarantines_nothing(db, small_landing, tmp_path):
    landing, counts = small_landing
    summaries = load_all(db, _copy(landing, tmp_path))
    assert summaries["motcua"].rows_quarantined == 0
    assert db.execute("select count(*) from raw.motcua_cases").fetchone()[0] == counts["case_versions"]
    assert db.execute("select count(*) from raw.motcua_events").fetchone()[0] == counts["events"]
    assert db.execute("select count(*) from raw.pakn_feedback").fetchone()[0] == counts["feedback_versions"]
    assert summaries["baocao"].count("loaded") == counts["reports"] + 2  # + the indicator catalogue and the register
    ledger = db.execute("select count(*), count(*) filter (where status = 'loaded') from audit.batches").fetchone()
    assert ledger[0] == ledger[1]


def test_rerunning_loads_nothing_twice_and_a_changed_file_is_a_new_batch(db, small_landing, tmp_path):
    landing = _copy(small_landing[0], tmp_path)
    load_all(db, landing)
    before = db.execute("select count(*) from raw.motcua_cases").fetchone()[0]
    again = load_all(db, landing)
    assert all(s.count("loaded") == 0 for s in again.values())
    assert db.execute("select count(*) from raw.motcua_cases").fetchone()[0] == before
    # the source re-sends July with one more line: only that file is loaded again, as a new batch
    july = landing / "motcua" / "hoso_2025-07.jsonl"
    lines = july.read_text(encoding="utf-8").splitlines()
    july.write_text("\n".join(lines + [lines[0]]) + "\n", encoding="utf-8")
    third = ingest_folder(db, "motcua", landing)
    assert third.count("loaded") == 1 and third.rows_loaded == len(lines) + 1


@pytest.fixture
def bad_delivery(db, small_landing, tmp_path):
    landing = _copy(small_landing[0], tmp_path)
    expected = write_bad_inputs(landing, agency="SO-TP")
    summaries = load_all(db, landing)
    return db, expected, summaries


# every bad input of the contracts (docs/sources.md), as written by ingestion.simulator.bad_inputs
BAD_NAMES = [
    "hoso_bad_rows.jsonl",  # broken JSON, unknown status, text in a number, bad timestamp, missing field, not an object
    "hoso_windows1258.jsonl",  # wrong encoding
    "hoso_not_json.jsonl",  # not what its name claims
    "sukien_no_header.csv",  # missing header
    "sukien_ragged.csv",  # a row with too many columns
    "hoso_hostile.jsonl",  # NUL in text, integer out of range, an overlong record, deep nesting, infinity
    "sukien_nul.csv",  # NUL in a CSV field
    "pakn_bad_rows.jsonl",  # a boolean that is not one
    "missing_header.xlsx",  # report: missing header cell
    "unknown_agency.xlsx",  # report: unknown agency code
    "wrong_period.xlsx",  # report: for the wrong period
    "not_a_workbook.xlsx",  # report: not a workbook at all
    "no_baocao_sheet.xlsx",  # report: the sheet is missing
    "bad_rows.xlsx",  # report: unknown/duplicated/foreign indicator, text in a number, formula, merged cells
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_each_bad_input_is_rejected_or_quarantined_with_its_reason(bad_delivery, name):
    db, expected, _ = bad_delivery
    check_bad_input(db, next(e for e in expected if e.path.name == name))


def test_the_rest_of_the_delivery_still_loads_next_to_bad_files(bad_delivery, small_landing):
    db, _, summaries = bad_delivery
    counts = small_landing[1]
    good_versions = db.execute("select count(*) from raw.motcua_cases where mahoso not like 'BAD-%'").fetchone()[0]
    assert good_versions == counts["case_versions"]
    assert summaries["baocao"].count("loaded") == counts["reports"] + 3  # catalogue, register, the partly bad workbook


def test_workbook_rows_carry_their_cell_and_extra_sheets_are_noted(bad_delivery):
    db, expected, _ = bad_delivery
    path = next(e.path for e in expected if e.path.name == "bad_rows.xlsx")
    message, batch_id = db.execute(
        "select message, batch_id from audit.batches where location = %s", (str(path),)
    ).fetchone()
    assert "ignored extra sheets: GhiChu" in message
    cells = dict(db.execute("select line_no, cell from raw.quarantine where batch_id = %s", (batch_id,)).fetchall())
    assert cells[11] == "D11"  # the text in the numeric cell GiaTri (column D)
    assert cells[13] == "D13"  # the formula's cell


def test_nfd_text_arrives_as_nfc_and_local_times_keep_their_instant(bad_delivery):
    db, *_ = bad_delivery
    name, received = db.execute(
        "select chuhoso, ngaytiepnhan from raw.motcua_cases where mahoso = 'BAD-0007'"
    ).fetchone()
    assert name == unicodedata.normalize("NFC", "Trần Thị Ánh") and unicodedata.is_normalized("NFC", name)
    assert received == dt.datetime(2025, 8, 4, 2, 0, tzinfo=dt.UTC)  # 09:00 in Asia/Ho_Chi_Minh
    not_nfc = db.execute("select count(*) from raw.motcua_cases where chuhoso <> normalize(chuhoso, NFC)").fetchone()
    assert not_nfc[0] == 0


def test_an_error_in_the_middle_of_a_batch_leaves_nothing_and_the_rerun_loads_it_once(db, small_landing):
    """An unforeseen error costs its batch only: recorded as failed, rolled back, not raised (the next batches
    still load); the re-run loads it once. (The database itself going away is raised: tests/test_faults.py.)"""
    landing = small_landing[0]
    ensure_raw_schema(db)
    path = landing / "motcua" / "hoso_2025-03.jsonl"
    from ingestion.readers import read_jsonl

    lines = sum(1 for _ in open(path, encoding="utf-8"))
    assert lines >= 10

    def crashing_rows():
        for n, row in enumerate(read_jsonl(path, MOTCUA_CASES), start=1):
            if n == lines // 2:
                raise ConnectionError("the network went away")
            yield row

    loader = Loader(db, run_id="crash-test")
    failed = loader.load(MOTCUA_CASES, str(path), crashing_rows(), content_sha256="abc")
    assert failed.status == "failed" and "network went away" in failed.message
    assert db.execute("select count(*) from raw.motcua_cases").fetchone()[0] == 0
    assert db.execute("select count(*) from raw.quarantine").fetchone()[0] == 0
    status, message = db.execute("select status, message from audit.batches").fetchone()
    assert status == "failed" and "network went away" in message
    result = loader.load(MOTCUA_CASES, str(path), read_jsonl(path, MOTCUA_CASES), content_sha256="abc")
    assert result.status == "loaded"
    assert db.execute("select count(*) from raw.motcua_cases").fetchone()[0] == lines
    again = loader.load(MOTCUA_CASES, str(path), read_jsonl(path, MOTCUA_CASES), content_sha256="abc")
    assert again.status == "skipped"


def test_loader_refuses_a_connection_that_would_hide_the_batch_transaction(fresh_db):
    import psycopg

    with psycopg.connect(fresh_db) as conn, pytest.raises(ValueError):
        Loader(conn)


def test_quarantined_rows_keep_the_original_text(db):
    ensure_raw_schema(db)
    rows = [SourceRow(1, {"MaHoSo": "X"}), SourceRow(2, None, "invalid JSON: x", '{"MaHoSo": ')]
    result = Loader(db).load(MOTCUA_CASES, "memory", rows, content_sha256=None)
    assert (result.rows_loaded, result.rows_quarantined) == (0, 2)
    kept = db.execute("select line_no, record from raw.quarantine order by line_no").fetchall()
    assert kept[0][1].startswith('{"MaHoSo":"X"') and kept[1][1] == '{"MaHoSo": '


def test_a_dropped_workbook_is_filed_when_first_received_never_at_its_mtime(db, small_landing, tmp_path):
    """The file's modification time is whatever the copy kept (cp -p, unzip): it is ignored. A workbook carries
    no NgayNop; its batch is tied to the night that loaded it, whose delivery moment dates it (the register
    may date it earlier: int_required_reports)."""
    import os

    from warehouse.db import bootstrap

    landing = _copy(small_landing[0], tmp_path)
    workbook = next((landing / "baocao").rglob("*_PCTN.xlsx"))
    long_ago = dt.datetime(2020, 1, 1, tzinfo=dt.UTC).timestamp()
    os.utime(workbook, (long_ago, long_ago))
    bootstrap(db)  # the ledger's nightly_runs
    db.execute(
        "insert into audit.nightly_runs (run_id, delivered_at) values ('night-x', '2025-07-20 07:00+07')"
        " on conflict (run_id) do nothing"
    )
    ingest_folder(db, "motcua", landing)
    ingest_folder(db, "baocao", landing, run_id="night-x")
    stamps = db.execute(
        "select count(*), count(v.ngaynop), min(r.delivered_at) from raw.baocao_values v"
        " join audit.batches b on b.batch_id = v._batch_id join audit.nightly_runs r on r.run_id = b.run_id"
    ).fetchone()
    assert stamps[0] > 0 and stamps[1] == 0
    assert stamps[2] == dt.datetime(2025, 7, 20, 0, 0, tzinfo=dt.UTC)
    register = db.execute("select count(*), min(ngayden) from raw.baocao_register").fetchone()
    assert register[0] == small_landing[1]["reports"] and register[1].year == 2025
