"""The nightly build is incremental, and an incremental night gives exactly what a full rebuild gives.

One database loads the province as delivered on 10/7/2025, builds, then loads the delivery of 20/7/2025 (new
cases, changed cases, the 1/7/2025 reorganisation inside the window) and builds again incrementally. A second
database loads both deliveries and builds once with --full-refresh. Every mart must be identical.

A third night, on a copy, brings what an incremental build is most likely to miss: a late file for a month closed
long ago (a case received and finished in March 2025) and a procedure catalogue whose legal days changed for one
procedure (cases received long before it must be judged as a full rebuild judges them). Its marts and its
intermediate tables must equal a full rebuild of the three deliveries.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections import Counter
from zoneinfo import ZoneInfo

import psycopg
import pytest
from conftest import load_delivery, mart_tables, new_database

from ingestion.simulator.generate import SimulationSpec, generate
from warehouse.db import bootstrap
from warehouse.dbt import nightly_build, run_dbt

pytestmark = pytest.mark.slow

FIRST = SimulationSpec(cases_per_year=700, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 7, 10, 6, 0))
SECOND = SimulationSpec(cases_per_year=700, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 7, 20, 6, 0))
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _build(url: str, *flags: str) -> None:
    outcome = (
        nightly_build(url) if not flags else run_dbt(["build", "--exclude-resource-type", "unit_test", *flags], url)
    )
    assert outcome.success, "\n".join(outcome.failures)


@pytest.fixture(scope="module")
def builds(tmp_path_factory, server_url, monkeypatch_module):
    root = tmp_path_factory.mktemp("incremental")
    first, second = root / "first", root / "second"
    generate(first, FIRST)
    generate(second, SECOND)
    monkeypatch_module.setenv("OUTPUT_DIR", str(root / "output"))
    monkeypatch_module.setenv("PII_HASH_KEY", "the-same-key-for-both-databases")  # hashes must compare equal

    nightly = new_database(server_url, "incremental_nightly")
    load_delivery(nightly, first, FIRST.as_of)
    _build(nightly)
    with psycopg.connect(nightly) as conn:
        cases_after_first = conn.execute("select count(*) from marts.fct_cases").fetchone()[0]
        watermark_first = conn.execute("select max(source_batch_id) from marts.fct_cases").fetchone()[0]
    load_delivery(nightly, second, SECOND.as_of)
    _build(nightly)

    full = new_database(server_url, "incremental_full")
    load_delivery(full, first, FIRST.as_of)
    load_delivery(full, second, SECOND.as_of)
    _build(full, "--full-refresh")
    return nightly, full, cases_after_first, watermark_first


THIRD = dt.datetime(2025, 7, 30, 6, 0)  # the third delivery's moment


def _third_delivery(second, third) -> str:
    """The delivery of 30/7/2025: a late case file for March 2025, and the catalogue with one procedure's legal
    days raised by 2. Returns that procedure's code."""
    motcua = third / "motcua"
    motcua.mkdir(parents=True)
    with open(second / "motcua" / "dm_tthc.csv", encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    days = header.index("SoNgayGiaiQuyet")
    files = sorted((second / "motcua").glob("hoso*.jsonl"))
    cases = [json.loads(line) for path in files for line in path.read_text(encoding="utf-8").splitlines()]
    # the procedure with the most cases received before June: a change there reaches many closed periods
    changed = Counter(c["MaTTHC"] for c in cases if c["NgayTiepNhan"] < "2025-06-01").most_common(1)[0][0]
    for row in rows:
        if row[header.index("MaTTHC")] == changed:
            row[days] = str(int(row[days]) + 2)
    with open(motcua / "dm_tthc.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    late = dict(
        next(c for c in cases if c["MaTTHC"] == changed and c["KenhNop"] == 1 and c["NgayTiepNhan"] < "2025-06-01"),
        MaHoSo="LATE-2025-03",
        NgayTiepNhan="2025-03-10T09:00:00",
        NgayHenTra=None,
        NgayKetThuc="2025-03-14T10:00:00",
        NgayTraKetQua=None,
        TrangThai="DA_XU_LY",
        NgayCapNhat="2025-07-29T10:00:00",
    )
    (motcua / "hoso_late_2025-03.jsonl").write_text(json.dumps(late, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


@pytest.fixture(scope="module")
def third_night(builds, tmp_path_factory, server_url):
    """A copy of the incremental database after its second night, given the third delivery and built
    incrementally; a database given all three deliveries and built in full: (incremental, full, the procedure)."""
    nightly, *_ = builds
    root = tmp_path_factory.mktemp("third")
    first, second, third = root / "first", root / "second", root / "third"
    generate(first, FIRST)
    generate(second, SECOND)
    changed = _third_delivery(second, third)
    spec = SimulationSpec(cases_per_year=700, start=dt.date(2024, 12, 15), as_of=THIRD)

    incremental = new_database(server_url, "incremental_third", nightly)
    load_delivery(incremental, third, spec.as_of)
    _build(incremental)

    full = new_database(server_url, "incremental_third_full")
    for landing, moment in ((first, FIRST), (second, SECOND), (third, spec)):
        load_delivery(full, landing, moment.as_of)
    _build(full, "--full-refresh")
    return incremental, full, changed


FOURTH = dt.datetime(2025, 8, 5, 6, 0)  # the fourth delivery's moment


@pytest.fixture(scope="module")
def fourth_night(third_night, tmp_path_factory, server_url):
    """After the third night, a delivery of one case only: still open, received on 10/6/2025 (Nghị định 09 month
    2025-T06), its receipt corrected to 1/7/2025 (2025-T07). It leaves June's periods, where nothing else changes
    that night: they must lose it, and the KPIs built on them must follow, as in a full rebuild. (incremental,
    full, the case)."""
    incremental_third, *_ = third_night
    root = tmp_path_factory.mktemp("fourth")
    first, second, third, fourth = root / "first", root / "second", root / "third", root / "fourth"
    generate(first, FIRST)
    generate(second, SECOND)
    _third_delivery(second, third)
    cases = [
        json.loads(line)
        for path in sorted((second / "motcua").glob("hoso*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    moved = dict(
        next(c for c in cases if "2025-06-01" <= c["NgayTiepNhan"] < "2025-06-14" and not c.get("NgayKetThuc")),
        NgayTiepNhan="2025-07-01T09:00:00",
        NgayCapNhat="2025-08-04T11:00:00",
    )
    (fourth / "motcua").mkdir(parents=True)
    (fourth / "motcua" / "hoso_corrected.jsonl").write_text(json.dumps(moved, ensure_ascii=False) + "\n")

    incremental = new_database(server_url, "incremental_fourth", incremental_third)
    load_delivery(incremental, fourth, FOURTH)
    _build(incremental)

    full = new_database(server_url, "incremental_fourth_full")
    for landing, moment in ((first, FIRST.as_of), (second, SECOND.as_of), (third, THIRD), (fourth, FOURTH)):
        load_delivery(full, landing, moment)
    _build(full, "--full-refresh")
    return incremental, full, moved["MaHoSo"]


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def test_an_incremental_night_equals_a_full_rebuild(builds):
    nightly, full, *_ = builds
    incremental, rebuilt = mart_tables(nightly), mart_tables(full)
    assert incremental.keys() == rebuilt.keys()
    differing = [t for t in rebuilt if incremental[t] != rebuilt[t]]
    assert differing == [], f"marts that differ after an incremental night: {differing}"


def test_a_late_file_for_a_closed_month_and_a_changed_catalogue_equal_a_full_rebuild(third_night):
    incremental, full, changed = third_night
    with psycopg.connect(incremental) as conn:
        late = conn.execute(
            "select period_id from marts.kpi_case_timeliness where period_id = '2025-T03' and received > 0"
            " and source_batch_id = (select max(source_batch_id) from marts.kpi_case_timeliness)"
        ).fetchall()
        old_cases = conn.execute(
            "select count(*) from marts.fct_cases where procedure_id = %s and received_date < '2025-06-01'", (changed,)
        ).fetchone()[0]
    assert late and old_cases > 0  # the closed month was recomputed, and the catalogue change has history to reach
    schemas = ("marts", "intermediate")
    incremental_tables, full_tables = mart_tables(incremental, schemas), mart_tables(full, schemas)
    assert incremental_tables.keys() == full_tables.keys()
    differing = [t for t in full_tables if incremental_tables[t] != full_tables[t]]
    assert differing == [], f"tables that differ from a full rebuild after the third night: {differing}"


def test_a_case_whose_receipt_moved_leaves_its_periods_as_in_a_full_rebuild(third_night, fourth_night):
    incremental, full, moved = fourth_night
    periods_of = "select array_agg(distinct period_id order by period_id) from intermediate.int_case_period_states"
    with psycopg.connect(third_night[0]) as conn:  # before: the case was in June's periods
        assert "2025-T06" in conn.execute(f"{periods_of} where case_id = %s", (moved,)).fetchone()[0]
    with psycopg.connect(incremental) as conn:
        after = conn.execute(f"{periods_of} where case_id = %s", (moved,)).fetchone()[0]
    assert "2025-T06" not in after and "2025-T07" in after
    schemas = ("marts", "intermediate")
    incremental_tables, full_tables = mart_tables(incremental, schemas), mart_tables(full, schemas)
    differing = [t for t in full_tables if incremental_tables[t] != full_tables[t]]
    assert differing == [], f"tables that differ from a full rebuild after the fourth night: {differing}"


def test_the_second_night_only_recomputed_what_changed(builds):
    nightly, _, cases_after_first, watermark_first = builds
    with psycopg.connect(nightly) as conn:
        total, recomputed = conn.execute(
            "select count(*), count(*) filter (where source_batch_id > %s) from marts.fct_cases", (watermark_first,)
        ).fetchone()
        # a change can only reach periods ending on or after the earliest receipt among the changed cases
        reach = conn.execute(
            "select min(received_date) from marts.fct_cases where source_batch_id > %s", (watermark_first,)
        ).fetchone()[0]
        before, rebuilt_before = conn.execute(
            "select count(*), count(*) filter (where k.source_batch_id > %s) from marts.kpi_case_timeliness as k"
            " join marts.dim_period as p using (period_id) where p.end_date < %s",
            (watermark_first, reach),
        ).fetchone()
    assert total > cases_after_first  # new cases arrived
    assert 0 < recomputed < total  # only the changed and new cases were recomputed
    assert before > 0 and rebuilt_before == 0  # periods out of the changes' reach were left as they were


def test_rotating_the_hashing_key_rehashes_every_row_at_the_next_build(builds, server_url, monkeypatch):
    """Runbook, "Rotate the hashing key": set a new PII_HASH_KEY; the next night rebuilds everything. On a copy,
    so that the other tests' database keeps its key whatever the order they run in."""
    nightly = new_database(server_url, "incremental_rotated", builds[0])
    monkeypatch.setenv("PII_HASH_KEY", "a-new-key-after-rotation")
    with psycopg.connect(nightly, autocommit=True) as conn:
        bootstrap(conn)
    _build(nightly)  # the nightly build, not asked for a full refresh
    with psycopg.connect(nightly) as conn:
        pairs = conn.execute(
            "select distinct on (f.case_id) r.sogiayto, f.applicant_key from marts.fct_cases f"
            " join raw.motcua_cases r on r.mahoso = f.case_id where r.sogiayto <> ''"
            " order by f.case_id, r.ngaycapnhat desc"
        ).fetchall()
        stale = conn.execute(
            "select count(*) from marts.fct_cases"
            " where source_batch_id < (select max(source_batch_id) from marts.fct_cases)"
        ).fetchone()[0]
    assert len(pairs) > 100
    for id_number, key in pairs:
        expected = hashlib.sha256(f"a-new-key-after-rotation|{id_number.strip().lower()}".encode()).hexdigest()
        assert key == expected, id_number
    assert stale == 0  # every row was rebuilt, none carries a hash made with the old key
