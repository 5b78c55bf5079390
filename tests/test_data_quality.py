"""Great Expectations gates: each kind of check passes on clean data and fails, naming agency and period, on
data made to break it; gaps are recorded, stay open while the problem is there and close when it is fixed;
critical failures block, warnings do not."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil

import psycopg
import pytest

from expectations.definitions import load, suite_names
from expectations.runner import BlockingGapError, gate, record, run_suite, run_suites
from ingestion.ingest import ingest_folder
from ingestion.simulator.bad_inputs import case_record
from ingestion.simulator.generate import SimulationSpec, generate
from warehouse.db import bootstrap, sqlalchemy_url
from warehouse.dbt import nightly_build, run_dbt

pytestmark = pytest.mark.slow

SPEC = SimulationSpec(cases_per_year=600, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 8, 20, 6, 0))


def bad_case(code: str, **changes) -> dict:
    """A desk-submitted case of ward PH-22366; `changes` break one rule."""
    return case_record(code, **{"MaDonVi": "PH-22366", "KenhNop": 1, "MucDoDVC": None, **changes})


# one crafted case per raw check of raw_motcua_cases; period 2025-T08 = 15/7-14/8/2025
BAD_CASES = {
    "agency_known": [bad_case("DQ-1", MaDonVi="XA-99999")],
    "procedure_known": [bad_case("DQ-2", MaTTHC="9.999999", NgayHenTra="2025-08-06T17:00:00")],
    "timestamps_in_order": [bad_case("DQ-3", TrangThai="DA_XU_LY", NgayKetThuc="2025-08-01T09:00:00")],
    "due_date_derivable": [bad_case("DQ-4", MaTTHC="9.999998", NgayHenTra=None)],
    "one_content_per_version": [
        bad_case("DQ-5"),
        bad_case("DQ-5", TrangThai="DA_XU_LY", NgayKetThuc="2025-08-04T15:00:00"),
    ],
    # a version stamped years after the delivery that carried it (loaded here without a night: delivered now)
    "not_after_delivery": [bad_case("DQ-6", NgayCapNhat="2031-01-01T09:00:00")],
}


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    landing = tmp_path_factory.mktemp("dq-landing")
    generate(landing, SPEC)
    return landing


@pytest.fixture
def loaded(db, province, tmp_path, monkeypatch):
    """A fresh warehouse with the clean simulated province loaded (not yet validated)."""
    landing = tmp_path / "landing"
    shutil.copytree(province, landing)
    monkeypatch.setenv("OUTPUT_DIR", str(tmp_path / "output"))
    bootstrap(db)
    for source in ("motcua", "pakn", "baocao"):
        ingest_folder(db, source, landing)
    return db, landing


def url_of(conn: psycopg.Connection) -> str:
    info = conn.info
    return f"postgresql://{info.user}:{info.password}@{info.host}:{info.port}/{info.dbname}"


def new_batches(conn, entity: str) -> list[int]:
    return [
        r[0]
        for r in conn.execute("select batch_id from audit.batches where entity = %s and status = 'loaded'", (entity,))
    ]


def test_clean_raw_batches_pass_every_raw_check(loaded):
    conn, _ = loaded
    url = sqlalchemy_url(url_of(conn))
    for suite, entity in [
        ("raw_motcua_cases", "motcua_cases"),
        ("raw_motcua_events", "motcua_events"),
        ("raw_pakn_feedback", "pakn_feedback"),
        ("raw_baocao_values", "baocao_values"),
    ]:
        outcome = run_suite(suite, url, new_batches(conn, entity))
        failed = [c.describe() for c in outcome.checks if not c.success]
        assert failed == [], f"{suite}: {failed}"
        assert len(outcome.checks) >= 2


@pytest.mark.parametrize("check", sorted(BAD_CASES))
def test_each_case_check_fails_on_its_bad_record_and_names_agency_and_period(loaded, check):
    conn, landing = loaded
    path = landing / "motcua" / f"hoso_dq_{check}.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in BAD_CASES[check]) + "\n")
    batch = ingest_folder(conn, "motcua", landing).new_batch_ids
    outcome = run_suite("raw_motcua_cases", sqlalchemy_url(url_of(conn)), batch)
    failed = {c.name: c for c in outcome.checks if not c.success}
    # a case without a due date and with an unknown procedure breaks both checks; every other case only its own
    assert set(failed) == ({check, "procedure_known"} if check == "due_date_derivable" else {check})
    finding = failed[check].findings[0]
    expected_agency = BAD_CASES[check][0]["MaDonVi"]
    assert (finding.agency_id, finding.period_id) == (expected_agency, "2025-T08")
    assert finding.rows_affected == len(BAD_CASES[check])
    assert BAD_CASES[check][0]["MaHoSo"] in finding.example_keys


def test_a_code_outside_the_contract_written_past_the_loader_fails_its_check_and_names_agency_and_period(loaded):
    """The loader quarantines a code the contract does not know; the raw check is the second line, for rows
    that reach raw another way (here: changed by SQL after loading). KenhNop 9 is no channel (1 desk, 2 online,
    3 post)."""
    conn, landing = loaded
    (landing / "motcua" / "hoso_dq_code.jsonl").write_text(json.dumps(bad_case("DQ-7")) + "\n")
    batch = ingest_folder(conn, "motcua", landing).new_batch_ids
    conn.execute("update raw.motcua_cases set kenhnop = 9 where mahoso = 'DQ-7'")
    outcome = run_suite("raw_motcua_cases", sqlalchemy_url(url_of(conn)), batch)
    failed = {c.name: c for c in outcome.checks if not c.success}
    assert set(failed) == {"valid_kenhnop"} and failed["valid_kenhnop"].severity == "critical"
    finding = failed["valid_kenhnop"].findings[0]
    assert (finding.agency_id, finding.period_id, finding.rows_affected) == ("PH-22366", "2025-T08", 1)
    assert finding.example_keys == ["DQ-7"] and finding.batch_ids == batch


def test_a_critical_failure_blocks_with_agency_period_check_and_rows_and_a_warning_does_not(loaded):
    conn, landing = loaded
    url = sqlalchemy_url(url_of(conn))
    (landing / "motcua" / "hoso_dq_warn.jsonl").write_text(json.dumps(BAD_CASES["procedure_known"][0]) + "\n")
    warned = run_suite("raw_motcua_cases", url, ingest_folder(conn, "motcua", landing).new_batch_ids)
    assert warned.warnings and not warned.blocking_failures
    gate([warned])  # a warning never stops anything
    (landing / "motcua" / "hoso_dq_block.jsonl").write_text(json.dumps(BAD_CASES["agency_known"][0]) + "\n")
    blocked = run_suite("raw_motcua_cases", url, ingest_folder(conn, "motcua", landing).new_batch_ids)
    with pytest.raises(BlockingGapError) as error:
        gate([blocked])
    message = str(error.value)
    assert "agency_known" in message and "agency XA-99999" in message and "period 2025-T08" in message
    assert "1 rows" in message and "DQ-1" in message


def test_event_feedback_and_report_checks_fail_on_their_bad_rows(loaded):
    conn, landing = loaded
    url = sqlalchemy_url(url_of(conn))
    (landing / "motcua" / "sukien_dq.csv").write_text(
        "MaHoSo,ThoiDiem,LoaiSuKien,MaDonVi,NgayHenTraMoi,GhiChu\n"
        "DQ-9,2025-08-04T09:00:00,TIEP_NHAN,PH-22366,,\n"  # a receipt that sets no due date
        "DQ-9,2025-08-04T10:00:00,CHUYEN_XU_LY,XA-99999,,\n",  # an agency not in the catalogue
        encoding="utf-8",
    )
    outcome = run_suite("raw_motcua_events", url, ingest_folder(conn, "motcua", landing).new_batch_ids)
    assert {c.name for c in outcome.checks if not c.success} == {"due_date_on_receipt", "agency_known"}
    feedback = {
        "MaPAKN": "DQ-P1",
        "KenhTiepNhan": "CONG_DVCQG",
        "LoaiPAKN": "KTXH",
        "MaTTHC": None,
        "MaDonViXuLy": "SO-TP",
        "NgayTiepNhan": "2025-08-04T09:00:00",
        "HanXuLy": "2025-08-01T17:00:00",
        "NgayTraLoi": None,
        "TrangThai": "MOI",
        "CongKhai": False,
        "DanhGia": None,
        "TieuDe": "x",
        "NoiDung": "x",
        "NguoiGui": "x",
        "DienThoaiNguoiGui": "0900000000",
        "NgayCapNhat": "2025-08-04T09:00:00",
    }
    (landing / "pakn" / "pakn_dq.jsonl").write_text(json.dumps(feedback) + "\n")
    outcome = run_suite("raw_pakn_feedback", url, ingest_folder(conn, "pakn", landing).new_batch_ids)
    failed = [c for c in outcome.checks if not c.success]
    assert [c.name for c in failed] == ["timestamps_in_order"]
    assert (failed[0].findings[0].agency_id, failed[0].findings[0].period_id) == ("SO-TP", "2025-T08")
    from ingestion.simulator.reports import write_workbook

    write_workbook(
        landing / "baocao" / "dq.xlsx",
        "SO-TP",
        "PCTN",
        "2025-6T",
        dt.date(2025, 6, 17),
        [
            ("PCTN01", "Phải kê khai", "Người", 10),
            ("PCTN02", "Đã kê khai", "Người", 12),
            ("PCTN05", "Kiểm tra", "Cuộc", -1),
        ],
    )
    outcome = run_suite("raw_baocao_values", url, ingest_folder(conn, "baocao", landing).new_batch_ids)
    failed = {c.name: c.findings[0] for c in outcome.checks if not c.success}
    assert set(failed) == {"values_not_negative", "done_not_above_required"}
    assert (failed["done_not_above_required"].agency_id, failed["done_not_above_required"].period_id) == (
        "SO-TP",
        "2025-6T",
    )


def received(code: str, agency: str, day: str) -> dict:
    """A case of `agency` received (and last updated) at 09:00 on `day`."""
    return case_record(
        code,
        MaDonVi=agency,
        NgayTiepNhan=f"{day}T09:00:00",
        NgayHenTra=f"{day}T17:00:00",
        NgayCapNhat=f"{day}T09:00:00",
    )


def test_a_month_far_above_its_agencys_usual_volume_is_a_gap_and_the_month_in_progress_is_not(db, province, tmp_path):
    """volume_within_band: cases received by an agency in a finished month against the average of the months with
    cases among its six previous months (judged when at least 3 had cases and the average is at least 10). Rows here:
    PH-22366 and XA-22366 received 12 cases a month on the 1st of 2/2025 to 7/2025 (Nghị định 09 months
    2025-T02 .. 2025-T07: the 1st falls in the month that ends on the 14th). Tonight's batch: PH-22366 40 cases
    in 2025-T08 (40 > 3 × 12: a gap), XA-22366 12 (in band), and each one case on 16/8 (2025-T09, the newest
    month: still in progress, 1 < 0.3 × usual is not judged)."""
    landing = tmp_path / "landing"
    (landing / "motcua").mkdir(parents=True)
    for catalogue in ("dm_donvi.csv", "dm_tthc.csv"):
        shutil.copy(province / "motcua" / catalogue, landing / "motcua")
    agencies = ("PH-22366", "XA-22366")
    history = [
        received(f"V-{a}-{m}-{i}", a, f"2025-{m:02d}-01") for a in agencies for m in range(2, 8) for i in range(12)
    ]
    night = [received(f"V-PH-22366-8-{i}", "PH-22366", "2025-08-01") for i in range(40)]
    night += [received(f"V-XA-22366-8-{i}", "XA-22366", "2025-08-01") for i in range(12)]
    night += [received(f"V-{a}-9", a, "2025-08-16") for a in agencies]
    bootstrap(db)
    for name, records in (("hoso_history.jsonl", history), ("hoso_night.jsonl", night)):
        (landing / "motcua" / name).write_text("".join(json.dumps(r) + "\n" for r in records))
        batch = ingest_folder(db, "motcua", landing).new_batch_ids
    outcome = run_suite("raw_motcua_cases", sqlalchemy_url(url_of(db)), batch)
    (check,) = [c for c in outcome.checks if c.name == "volume_within_band"]
    assert [(f.agency_id, f.period_id, f.rows_affected, f.example_keys) for f in check.findings] == [
        ("PH-22366", "2025-T08", 40, ["received 40, usually 12"])
    ]


def test_a_source_timestamp_after_its_delivery_is_a_gap_not_the_data_date(loaded):
    """DOMAIN.md, data date: open cases are judged as of the delivery; a typo in the future closes nothing."""
    conn, landing = loaded
    (landing / "motcua" / "hoso_dq_future.jsonl").write_text(json.dumps(BAD_CASES["not_after_delivery"][0]) + "\n")
    ingest_folder(conn, "motcua", landing)
    outcome = nightly_build(url_of(conn))
    assert outcome.success, outcome.failures
    as_of, delivered = conn.execute(
        "select (select as_of_at from intermediate.int_data_as_of),"
        " (select max(started_at) from audit.batches where status = 'loaded')"
    ).fetchone()
    assert as_of == delivered  # the latest delivery, not 2031
    assert conn.execute(
        "select count(*) from intermediate.int_periods_measured where start_date > %s", (delivered.date(),)
    ).fetchone() == (0,)


@pytest.fixture
def built(loaded):
    conn, landing = loaded
    outcome = nightly_build(url_of(conn))
    assert outcome.success, outcome.failures
    return conn, landing


def test_a_broken_mart_fails_its_dbt_tests_and_the_reconciliation_with_raw(built):
    """Who checks what (docs/data-quality.md): dbt tests own a model's invariants (balances, shares, province =
    sum of agencies), GX owns what needs the raw data or gap tracking (received cases reconcile with raw)."""
    conn, _ = built
    url = sqlalchemy_url(url_of(conn))
    outcome = run_suite("mart_case_kpis", url)
    assert [c.describe() for c in outcome.checks if not c.success and c.severity == "critical"] == []
    agency, period = conn.execute(
        "select agency_id, period_id from marts.kpi_case_timeliness where received > 0 and period_kind = 'month'"
        " order by period_id, agency_id limit 1"
    ).fetchone()
    conn.execute(
        "update marts.kpi_case_timeliness set received = received + 1, on_time_rate = 1.5"
        " where agency_id = %s and period_id = %s",
        (agency, period),
    )
    outcome = run_suite("mart_case_kpis", url)
    failed = {c.name: c for c in outcome.checks if not c.success and c.severity == "critical"}
    assert set(failed) == {"received_reconciles_with_raw"}
    assert failed["received_reconciles_with_raw"].findings[0].period_id == period
    tests = run_dbt(["test", "--select", "kpi_case_timeliness", "--exclude-resource-type", "unit_test"], url_of(conn))
    assert not tests.success
    failing = [f.split(":")[0] for f in tests.failures]
    # on the broken row: the balance (carried over + received + moved in = ...), received = online + direct +
    # postal, and the rate's range
    assert sum("expression_is_true_kpi_case_ti" in f for f in failing) == 3, failing


def test_gaps_are_recorded_kept_open_and_closed_when_fixed(built):
    conn, _ = built
    url = sqlalchemy_url(url_of(conn))
    period = conn.execute(
        "select period_id from marts.kpi_case_timeliness where received > 0 and period_kind = 'month'"
        " order by period_id desc limit 1"
    ).fetchone()[0]
    conn.execute(
        "update marts.kpi_case_timeliness set received = received + 2 where period_id = %s"
        " and (agency_id, field_id, channel) = (select agency_id, field_id, channel from marts.kpi_case_timeliness"
        " where period_id = %s and received > 0 order by 1, 2, 3 limit 1)",
        (period, period),
    )
    record(conn, run_suite("mart_case_kpis", url), "night-1")
    record(conn, run_suite("mart_case_kpis", url), "night-2")
    gap = conn.execute(
        "select kind, severity, rows_affected, first_seen_at < last_seen_at, last_run_id from dq.open_gaps"
        " where check_name = 'received_reconciles_with_raw' and period_id = %s",
        (period,),
    ).fetchone()
    assert gap == ("raw_reconciliation", "critical", 2, True, "night-2")
    assert run_dbt(
        ["build", "--full-refresh", "--select", "kpi_case_timeliness", "--exclude-resource-type", "unit_test"],
        url_of(conn),
    ).success
    record(conn, run_suite("mart_case_kpis", url), "night-3")
    check = "received_reconciles_with_raw"
    assert conn.execute("select count(*) from dq.open_gaps where check_name = %s", (check,)).fetchone()[0] == 0
    closed = conn.execute("select closed_at is not null from dq.gaps where check_name = %s", (check,)).fetchone()
    assert closed == (True,)


def test_the_gaps_of_a_check_no_suite_defines_any_more_are_closed(built):
    conn, _ = built
    from expectations.runner import close_retired_checks, ensure_dq_schema

    ensure_dq_schema(conn)
    conn.execute(
        "insert into dq.gaps (gap_key, suite_name, check_name, kind, severity, target)"
        " values ('mart_other_kpis|rates_are_shares||', 'mart_other_kpis', 'rates_are_shares', 'ratio_out_of_range',"
        " 'critical', 'marts.kpi_online_share')"
    )
    record(conn, run_suite("mart_report_compliance", sqlalchemy_url(url_of(conn))), "night-1")
    open_before = conn.execute("select count(*) from dq.open_gaps").fetchone()[0]
    assert close_retired_checks(conn) == 1
    assert conn.execute("select count(*) from dq.open_gaps").fetchone()[0] == open_before - 1
    assert conn.execute("select count(*) from dq.open_gaps where suite_name = 'mart_other_kpis'").fetchone()[0] == 0


def test_missing_and_late_reports_are_gaps_of_their_agency_and_period(built):
    conn, _ = built
    url = sqlalchemy_url(url_of(conn))
    expected = conn.execute(
        "select agency_id, period_id, filing_status from marts.kpi_report_compliance"
        " where filing_status in ('missing', 'late') order by 1, 2"
    ).fetchall()
    assert expected, "the simulated province always has a few missing or late reports"
    record(conn, run_suite("mart_report_compliance", url), "night-1")
    gaps = conn.execute(
        "select agency_id, period_id, kind from dq.open_gaps where suite_name = 'mart_report_compliance' order by 1, 2"
    ).fetchall()
    by_kind = {"missing": "report_missing", "late": "report_late"}
    assert sorted(set(gaps)) == sorted({(a, p, by_kind[s]) for a, p, s in expected})
    severities = {r[0] for r in conn.execute("select distinct severity from dq.open_gaps")}
    assert severities == {"warning"}


def test_a_file_that_did_not_load_is_a_warning_gap_until_it_loads_or_is_excluded(loaded, monkeypatch):
    """A rejected file waits for a corrected delivery, a failed one is retried each night; both leave their rows
    out of the marts, so the batch ledger's suite keeps them in dq.open_gaps until they load or are excluded."""
    from conftest import warehouse_cli

    import ingestion.ingest

    conn, landing = loaded
    failing = landing / "motcua" / "hoso_dq_bug.jsonl"
    failing.write_text(json.dumps(bad_case("DQ-20")) + "\n")
    rejected = landing / "motcua" / "hoso_dq_cp1258.jsonl"
    rejected.write_bytes(b'{"MaHoSo": "DQ-21", "ChuHoSo": "H\xf2a"}\n')  # Windows-1258, not UTF-8
    real_reader = ingestion.ingest.read_text_file

    def reader_with_a_bug(path, entity):
        if path == failing:
            raise ZeroDivisionError("division by zero")
        return real_reader(path, entity)

    monkeypatch.setattr(ingestion.ingest, "read_text_file", reader_with_a_bug)
    ingest_folder(conn, "motcua", landing)
    ids = dict(conn.execute("select location, batch_id from audit.batches where location like '%%hoso_dq_%%'"))
    assert run_dbt(["run", "--select", "+fct_load_batches"], url_of(conn)).success
    url = sqlalchemy_url(url_of(conn))

    outcome = run_suite("mart_load_batches", url)
    (check,) = outcome.checks
    assert (check.name, check.severity, check.success) == ("files_not_loaded", "warning", False)
    today = dt.date.today()  # the month of Nghị định 09/2019 runs from the 15th to the 14th
    month = today.replace(day=1) + dt.timedelta(days=31) if today.day >= 15 else today
    (finding,) = check.findings
    assert (finding.agency_id, finding.period_id, finding.rows_affected) == (None, f"{month:%Y}-T{month:%m}", 2)
    assert sorted(finding.example_keys) == [f"failed: {failing}", f"rejected: {rejected}"]
    gate([outcome])  # a warning: the night goes on
    record(conn, outcome, "night-1")
    assert conn.execute(
        "select kind, severity from dq.open_gaps where suite_name = 'mart_load_batches'"
    ).fetchall() == [("file_not_loaded", "warning")]

    monkeypatch.setattr(ingestion.ingest, "read_text_file", real_reader)  # fixed: the next night loads it
    assert [b.location for b in ingest_folder(conn, "motcua", landing).batches if b.status == "loaded"] == [
        str(failing)
    ]
    env = {**os.environ, "DATABASE_URL": url_of(conn)}
    excluded = warehouse_cli(env, "batches", "exclude", str(ids[str(rejected)]), "--reason", "resent as UTF-8")
    assert excluded.returncode == 0, excluded.stdout + excluded.stderr
    assert "rejected batch" in excluded.stdout
    record(conn, run_suite("mart_load_batches", url), "night-2")
    assert conn.execute("select count(*) from dq.open_gaps where suite_name = 'mart_load_batches'").fetchone()[0] == 0


def test_gx_keeps_each_suites_newest_results_and_its_data_docs_index_lists_only_those(loaded, monkeypatch):
    """GX rebuilds the Data Docs index after every suite from every stored result: kept unbounded, each night
    would read all the nights before it. A suite keeps its newest runs, in the store and in Data Docs."""
    import expectations.runner
    from expectations.runner import data_docs_index

    conn, _ = loaded
    assert run_dbt(["run", "--select", "+fct_load_batches"], url_of(conn)).success
    url = sqlalchemy_url(url_of(conn))
    monkeypatch.setattr(expectations.runner, "RESULTS_KEPT_PER_SUITE", 2)
    gx_files = data_docs_index().parents[2]  # OUTPUT_DIR/gx/gx/uncommitted

    def runs(store: str) -> list[str]:
        return sorted(p.name for p in (gx_files / store / "mart_load_batches").glob("*/*"))

    for night in range(3):
        run_suite("mart_load_batches", url)
        assert len(runs("validations")) == min(night + 1, 2)
    kept = runs("validations")
    assert runs("data_docs/local_site/validations") == kept
    index = data_docs_index().read_text(encoding="utf-8")
    listed = sorted(set(re.findall(r"validations/mart_load_batches/__none__/(\w+\.\w+)/", index)))
    assert listed == kept


def test_a_check_query_runs_once_and_a_full_page_of_findings_says_there_may_be_more(db, tmp_path, monkeypatch):
    """GX's own unexpected_rows_expectation runs a check's query twice (its rows, then their count); ours once.
    The check below counts its own runs in a sequence: 250 rows at fault, GX returns a page of 200."""
    import expectations.definitions

    monkeypatch.setenv("OUTPUT_DIR", str(tmp_path / "output"))
    suite = tmp_path / "suites" / "counting"
    suite.mkdir(parents=True)
    (suite / "suite.yml").write_text("target: {kind: table, table: public.counted}\n", encoding="utf-8")
    (suite / "counts_its_runs.sql").write_text(
        "-- Every row of the query is a finding, and draws a number.\n-- kind: test\n-- severity: warning\n"
        "select 'A-' || n as agency_id, '2025-T08' as period_id, 1 as rows_affected,"
        " array[nextval('public.check_runs')::text] as example_keys\n"
        "from (select * from {batch}) as b cross join generate_series(1, 250) as n",
        encoding="utf-8",
    )
    monkeypatch.setattr(expectations.definitions, "SUITES_DIR", tmp_path / "suites")
    db.execute("create table public.counted (x int); insert into public.counted values (1)")
    db.execute("create sequence public.check_runs")
    db.commit()

    outcome = run_suite("counting", sqlalchemy_url(url_of(db)))

    (check,) = outcome.checks
    assert not check.success and check.severity == "warning"
    assert len(check.findings) == 200 and check.observed == json.dumps("200 or more")
    # one run: the 200 rows fetched, plus what the server drew ahead of the fetch; twice would be at least 450
    drawn = db.execute("select last_value from public.check_runs").fetchone()[0]
    assert 200 <= drawn <= 250


def test_a_night_with_new_batches_of_some_sources_only_validates_those(loaded):
    """The suites of a night run in one GX checkpoint; a night after one that validated every source may bring
    batches of a few (the reports come monthly): the others are skipped, and the checkpoint still runs."""
    conn, _ = loaded
    url = sqlalchemy_url(url_of(conn))
    every_source = [(suite, new_batches(conn, load(suite).table.split(".")[1])) for suite in suite_names("raw_batches")]
    assert all(batches for _, batches in every_source)
    run_suites(every_source, url)

    one_stop_shop = [(suite, batches if "motcua" in suite else []) for suite, batches in every_source]
    outcomes = run_suites(one_stop_shop, url)

    validated = [o for o in outcomes if not o.skipped_reason]
    assert [o.suite for o in validated] == ["raw_motcua_cases", "raw_motcua_events"]
    assert all(o.checks and not o.blocking_failures for o in validated)
