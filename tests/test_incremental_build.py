"""The nightly build is incremental, and an incremental night gives exactly what a full rebuild gives.

One database loads the province as delivered on 10/7/2025, builds, then loads the delivery of 20/7/2025 (new
cases, changed cases, the 1/7/2025 reorganisation inside the window) and builds again incrementally. A second
database loads both deliveries and builds once with --full-refresh. Every mart must be identical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

import psycopg
import pytest
from conftest import new_database

from ingestion.ingest import ingest_folder
from ingestion.simulator.generate import SimulationSpec, generate
from warehouse.db import bootstrap
from warehouse.dbt import nightly_build, run_dbt

pytestmark = pytest.mark.slow

FIRST = SimulationSpec(cases_per_year=700, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 7, 10, 6, 0))
SECOND = SimulationSpec(cases_per_year=700, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 7, 20, 6, 0))
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
IGNORED_COLUMNS = {"source_batch_id"}  # bookkeeping: which raw batch a row was computed through


def _load(url: str, landing, spec: SimulationSpec) -> None:
    """Load a delivery as the night after its moment would (its delivery moment is the data date)."""
    night = f"night-{spec.as_of:%Y-%m-%d}"
    with psycopg.connect(url, autocommit=True) as conn:
        bootstrap(conn)
        conn.execute(
            "insert into audit.nightly_runs (run_id, delivered_at) values (%s, %s)",
            (night, spec.as_of.replace(tzinfo=LOCAL) + dt.timedelta(hours=1)),
        )
        for source in ("motcua", "pakn", "baocao"):
            ingest_folder(conn, source, landing, night)


def _build(url: str, *flags: str) -> None:
    outcome = (
        nightly_build(url) if not flags else run_dbt(["build", "--exclude-resource-type", "unit_test", *flags], url)
    )
    assert outcome.success, "\n".join(outcome.failures)


def _marts(url: str) -> dict[str, list]:
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
                " and table_type = 'BASE TABLE' order by 1"
            )
        ]
        out = {}
        for table in tables:
            columns = [
                r[0]
                for r in conn.execute(
                    "select column_name from information_schema.columns where table_schema = 'marts'"
                    " and table_name = %s order by ordinal_position",
                    (table,),
                )
                if r[0] not in IGNORED_COLUMNS
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(f'select {listed} from marts."{table}"').fetchall()
            out[table] = sorted(rows, key=repr)
        return out


@pytest.fixture(scope="module")
def builds(tmp_path_factory, server_url, monkeypatch_module):
    root = tmp_path_factory.mktemp("incremental")
    first, second = root / "first", root / "second"
    generate(first, FIRST)
    generate(second, SECOND)
    monkeypatch_module.setenv("OUTPUT_DIR", str(root / "output"))
    monkeypatch_module.setenv("PII_HASH_KEY", "the-same-key-for-both-databases")  # hashes must compare equal

    nightly = new_database(server_url, "incremental_nightly")
    _load(nightly, first, FIRST)
    _build(nightly)
    with psycopg.connect(nightly) as conn:
        cases_after_first = conn.execute("select count(*) from marts.fct_cases").fetchone()[0]
        watermark_first = conn.execute("select max(source_batch_id) from marts.fct_cases").fetchone()[0]
    _load(nightly, second, SECOND)
    _build(nightly)

    full = new_database(server_url, "incremental_full")
    _load(full, first, FIRST)
    _load(full, second, SECOND)
    _build(full, "--full-refresh")
    return nightly, full, cases_after_first, watermark_first


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def test_an_incremental_night_equals_a_full_rebuild(builds):
    nightly, full, *_ = builds
    incremental, rebuilt = _marts(nightly), _marts(full)
    assert incremental.keys() == rebuilt.keys()
    differing = [t for t in rebuilt if incremental[t] != rebuilt[t]]
    assert differing == [], f"marts that differ after an incremental night: {differing}"


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


def test_rotating_the_hashing_key_rehashes_every_row_at_the_next_build(builds, monkeypatch):
    """Runbook, "Rotate the hashing key": set a new PII_HASH_KEY; the next night rebuilds everything."""
    nightly, *_ = builds
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
