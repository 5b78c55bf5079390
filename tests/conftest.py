"""Shared fixtures: a real PostgreSQL for the whole session, and a fresh database per test that needs one.

The server is the same embedded PostgreSQL the run command uses (CI runs as root, where pytest-postgresql
refuses to start), in a throw-away data folder under .tmp/. Set TEST_DATABASE_URL to use a server instead
(tests create and drop their own databases on it).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest

from warehouse.cli import OFFLINE
from warehouse.config import PROJECT_ROOT
from warehouse.embedded import EmbeddedPostgres, file_lock

# pytest-xdist runs the suite in two processes (addopts); each gets folders of its own
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
# Airflow must not write into ~/airflow while tests import it, nor dbt into the project's data/output
os.environ.setdefault("AIRFLOW_HOME", str(PROJECT_ROOT / ".tmp" / f"airflow-pytest-{WORKER}"))
os.environ.setdefault("OUTPUT_DIR", str(PROJECT_ROOT / ".tmp" / f"output-pytest-{WORKER}"))

# Tests that share a session fixture run in the same worker, which builds it once; a module's tests stay together
# (their module fixtures are built once). The heaviest groups are handed out first, so neither worker is left
# with a long one at the end.
SHARED_FIXTURES = {"nightly_province": "province", "golden_warehouse": "golden"}
HEAVIEST_FIRST = ["province", "test_faults", "test_nightly_gate", "test_private_folder", "test_incremental_build"]


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(config, items):
    shares: dict[str, set[str]] = {}  # module: the shared fixtures' groups its tests use
    for item in items:
        used = {g for f, g in SHARED_FIXTURES.items() if f in item.fixturenames}
        shares.setdefault(item.module.__name__, set()).update(used)
    # a module that uses both goes with the province (the costlier one to build twice)
    module_group = {m: next((g for g in SHARED_FIXTURES.values() if g in used), m) for m, used in shares.items()}
    for item in items:
        item.add_marker(pytest.mark.xdist_group(module_group[item.module.__name__]))
    rank = {group: n for n, group in enumerate(HEAVIEST_FIRST)}
    items.sort(key=lambda item: rank.get(module_group[item.module.__name__], len(rank)))


def debian_tool(binary: str, package: str) -> str:
    """A Debian package's program, installed with apt-get when missing (a new machine has apt and nothing else;
    CI runs as root), the package lists refreshed first if the install cannot find it."""
    found = shutil.which(binary)
    if found:
        return found
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", package]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    with file_lock(Path(tempfile.gettempdir()) / ".pytest-apt.lock"):  # the other worker may be installing too
        if not shutil.which(binary) and subprocess.run(install, capture_output=True, env=env, timeout=1200).returncode:
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env, timeout=600)
            subprocess.run(install, capture_output=True, env=env, timeout=1200, check=True)
    found = shutil.which(binary)
    assert found, f"{binary} (Debian's {package}) is needed by this test"
    return found


@contextmanager
def throwaway_server(prefix: str):
    """An embedded PostgreSQL in a new data folder under .tmp/, removed afterwards: (server, its state)."""
    base = PROJECT_ROOT / ".tmp"
    base.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=base))  # mode 700: under root the cluster is placed aside
    server = EmbeddedPostgres(folder / "pgdata")
    try:
        yield server, server.ensure_running()
    finally:
        server.destroy()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def server_url():
    """URL of a maintenance database (postgres) on the test server."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        try:
            yield configured
        finally:
            with psycopg.connect(configured, autocommit=True) as admin:
                for name in _SESSION_DATABASES:
                    admin.execute(f"drop database if exists {name} with (force)")
        return
    with throwaway_server("test-pg-") as (_, state):
        yield state.url("postgres")


def _with_database(server: str, name: str) -> str:
    head, _, _ = server.rpartition("/")
    return f"{head}/{name}"


# Databases a session creates carry its own suffix, so that two sessions sharing one TEST_DATABASE_URL server never
# drop each other's; they are dropped when the session ends.
SESSION_SUFFIX = uuid.uuid4().hex[:8]
_SESSION_DATABASES: list[str] = []


def new_database(server_url: str, name: str, template_url: str | None = None) -> str:
    """A database for this session, named after `name`: empty, or a copy of the one at `template_url` (nobody may
    be connected to it); its URL. Dropped when the session ends."""
    unique = f"{name}_{SESSION_SUFFIX}"
    template = f" template {template_url.rpartition('/')[2]}" if template_url else ""
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"create database {unique}{template}")
    _SESSION_DATABASES.append(unique)
    return _with_database(server_url, unique)


def airflow_env(url: str, landing: Path, root: Path, **extra: str) -> dict:
    """The environment of a pipeline run on `url`: its own landing, output and Airflow home under `root`."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "LANDING_DIR": str(landing),
        "OUTPUT_DIR": str(root / "output"),
        "AIRFLOW_HOME": str(root / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "NIGHTLY_RETRY_DELAY_SECONDS": "1",
        # one dbt task, as `make run` does; the nights that test Cosmos's task per model ask for it
        "DBT_IN_AIRFLOW": "task",
        **OFFLINE,  # as `python -m warehouse airflow` sets it, for the tests that start Airflow themselves
        **extra,
    }


def task_tries(env: dict, dag_id: str = "nightly_load") -> dict[str, tuple[int, str]]:
    """Each task of the DAG's latest run as Airflow's metadata records it: (try number, state). Read from the
    run's Airflow home (SQLite), not from the wording of its logs."""
    import sqlite3

    with sqlite3.connect(Path(env["AIRFLOW_HOME"]) / "airflow.db") as db:
        run = db.execute("select run_id from dag_run where dag_id = ? order by id desc limit 1", (dag_id,)).fetchone()[
            0
        ]
        rows = db.execute(
            "select task_id, try_number, state from task_instance where dag_id = ? and run_id = ?", (dag_id, run)
        ).fetchall()
    return {task: (tries, state) for task, tries, state in rows}


def warehouse_cli(env: dict, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    """`python -m warehouse <args>` as an operator runs it (Airflow runs go through `airflow ...`)."""
    return subprocess.run(
        [sys.executable, "-m", "warehouse", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def load_delivery(url: str, landing: Path, as_of: dt.datetime) -> None:
    """Load a simulated delivery (all sources) as the night after its moment `as_of` (local) would: its delivery
    moment, an hour later, is the data date."""
    from ingestion.ingest import ingest_folder
    from warehouse.db import bootstrap

    night = f"night-{as_of:%Y-%m-%d}"
    with psycopg.connect(url, autocommit=True) as conn:
        bootstrap(conn)
        conn.execute(
            "insert into audit.nightly_runs (run_id, delivered_at) values (%s, %s)",
            (night, as_of.replace(tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")) + dt.timedelta(hours=1)),
        )
        for source in ("motcua", "pakn", "baocao"):
            ingest_folder(conn, source, landing, night)


def check_bad_input(db: psycopg.Connection, case) -> None:
    """A bad file (ingestion.simulator.bad_inputs.Expected) was rejected whole with its reason, or loaded with
    exactly its bad rows quarantined, each with its own reason and location."""
    status, message, loaded, quarantined, batch_id = db.execute(
        "select status, message, rows_loaded, rows_quarantined, batch_id from audit.batches where location = %s",
        (str(case.path),),
    ).fetchone()
    assert status == case.outcome, (case.path.name, message)
    if case.outcome == "rejected":
        assert case.reason in message
        reasons = db.execute("select reason, line_no from raw.quarantine where batch_id = %s", (batch_id,)).fetchall()
        assert reasons == [(message, None)]  # the whole file, with its reason and location
        return
    assert loaded == case.loaded_rows
    assert quarantined == len(case.quarantined_rows)
    rows = db.execute(
        "select line_no, reason, location from raw.quarantine where batch_id = %s order by line_no", (batch_id,)
    ).fetchall()
    assert [r[0] for r in rows] == list(case.quarantined_rows)
    assert all(r[2] == str(case.path) for r in rows)
    assert len(case.reasons) == len(rows), "every quarantined row has its reason worked out in bad_inputs.py"
    for (line, reason, _), fragment in zip(rows, case.reasons, strict=True):
        assert fragment in reason, (case.path.name, line, reason)


BOOKKEEPING_COLUMNS = {"source_batch_id"}  # which raw batch a row was computed through


def mart_tables(
    url: str, schemas: tuple[str, ...] = ("marts",), leave_out: frozenset = frozenset(), ignore: frozenset = frozenset()
) -> dict[str, list]:
    """Every table of `schemas` (views follow their tables), rows sorted, bookkeeping columns (and `ignore`) and
    the tables `leave_out` left out: for comparing two warehouses table by table."""
    with psycopg.connect(url) as conn:
        tables = conn.execute(
            "select table_schema, table_name from information_schema.tables where table_schema = any(%s)"
            " and table_type = 'BASE TABLE' order by 1, 2",
            (list(schemas),),
        ).fetchall()
        out = {}
        for schema, table in tables:
            if table in leave_out:
                continue
            columns = [
                r[0]
                for r in conn.execute(
                    "select column_name from information_schema.columns where table_schema = %s"
                    " and table_name = %s order by ordinal_position",
                    (schema, table),
                )
                if r[0] not in BOOKKEEPING_COLUMNS | ignore
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(f'select {listed} from {schema}."{table}"').fetchall()
            out[table if schema == "marts" else f"{schema}.{table}"] = sorted(rows, key=repr)
        return out


@pytest.fixture
def fresh_db(server_url):
    """A new, empty database for one test; its URL. Dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'create database "{name}"')
    yield _with_database(server_url, name)
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'drop database if exists "{name}" with (force)')


@pytest.fixture
def db(fresh_db):
    """An autocommit connection to a fresh database."""
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        yield conn


GOLDEN_DELIVERY = dt.datetime(2025, 12, 20, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))


@pytest.fixture(scope="session")
def golden_warehouse(tmp_path_factory, server_url):
    """The hand-written dataset of test_golden_kpis.py loaded and built by the real pipeline; a connection."""
    from test_golden_kpis import AGENCIES, CASES, EVENTS, FEEDBACK, PROCEDURES, REGISTER, REPORT

    from ingestion.simulator.reports import indicator_rows, write_indicator_catalogue, write_register, write_workbook

    root = tmp_path_factory.mktemp("golden")
    motcua = root / "landing" / "motcua"
    motcua.mkdir(parents=True)
    with open(motcua / "dm_donvi.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["MaDonVi", "TenDonVi", "LoaiDonVi", "MaDonViCha", "HieuLucTu", "HieuLucDen", "MaDonViKeThua"])
        writer.writerows(AGENCIES)
    with open(motcua / "dm_tthc.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "SoNgayGiaiQuyet", "CapThucHien", "CoTrucTuyenToanTrinh"]
        )
        writer.writerows(PROCEDURES)
    (motcua / "hoso_golden.jsonl").write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CASES) + "\n")
    with open(motcua / "sukien_golden.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["MaHoSo", "ThoiDiem", "LoaiSuKien", "MaDonVi", "NgayHenTraMoi", "GhiChu"])
        writer.writerows([*e, ""] for e in EVENTS)
    pakn = root / "landing" / "pakn"
    pakn.mkdir()
    (pakn / "pakn_golden.jsonl").write_text("\n".join(json.dumps(f, ensure_ascii=False) for f in FEEDBACK) + "\n")
    baocao = root / "landing" / "baocao"
    agency, report_type, period, given, done = REPORT
    baocao.mkdir()
    write_indicator_catalogue(baocao)
    rows = indicator_rows({"CCHC01": given, "CCHC02": done})
    write_workbook(
        baocao / period / f"{agency}_{report_type}.xlsx", agency, report_type, period, dt.date(2025, 6, 16), rows
    )
    write_register(baocao, REGISTER)

    url = new_database(server_url, "golden_kpis")
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", url)
    patch.setenv("LANDING_DIR", str(root / "landing"))
    patch.setenv("OUTPUT_DIR", str(root / "output"))
    from warehouse import nightly

    # delivered on the night of 20/12/2025: the year 2025-NAM (to 14/12) is over, and the data date never moves
    nightly.prepare("golden", GOLDEN_DELIVERY)
    for source in ("motcua", "pakn", "baocao"):
        nightly.ingest(source, run_id="golden")
    nightly.build_marts(run_id="golden")  # raises if any model or dbt test fails
    patch.undo()
    with psycopg.connect(url) as conn:
        yield conn


PROVINCE = dict(cases_per_year=500, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 9, 20, 6, 0))


@pytest.fixture(scope="session")
def nightly_province(tmp_path_factory, server_url):
    """A small simulated province spanning the 1/7/2025 reorganisation, run through one night of nightly_load
    by Airflow (`airflow dags test`) on its own database: (url, env for further runs, the run, counts).
    To show the extracts' formula neutralisation, one agency's name and one feedback title start with '='."""
    from ingestion.simulator.generate import SimulationSpec, generate

    root = tmp_path_factory.mktemp("province")
    landing = root / "landing"
    counts = generate(landing, SimulationSpec(**PROVINCE))
    catalogue = landing / "motcua" / "dm_donvi.csv"
    catalogue.write_text(
        catalogue.read_text(encoding="utf-8").replace(
            "SO-TP,Sở Tư pháp,", 'SO-TP,"=HYPERLINK(""http://x.invalid"",""Sở Tư pháp"")",'
        ),
        encoding="utf-8",
    )
    feedback = {
        "MaPAKN": "FORMULA-1",
        "KenhTiepNhan": "CONG_DVCQG",
        "LoaiPAKN": "KTXH",
        "MaTTHC": None,
        "MaDonViXuLy": "SO-TP",
        "NgayTiepNhan": "2025-05-05T09:00:00",
        "HanXuLy": "2025-05-26T17:00:00",
        "NgayTraLoi": "2025-05-20T09:00:00",
        "TrangThai": "DA_TRA_LOI",
        "CongKhai": True,
        "DanhGia": None,
        "TieuDe": '=HYPERLINK("http://x.invalid","bấm vào đây")',
        "NoiDung": "=1+1",
        "NguoiGui": "Lê Văn Nam",
        "DienThoaiNguoiGui": "0905000123",
        "NgayCapNhat": "2025-05-20T09:00:00",
    }
    (landing / "pakn" / "pakn_formula.jsonl").write_text(json.dumps(feedback, ensure_ascii=False) + "\n")
    url = new_database(server_url, "nightly_province")
    env = airflow_env(url, landing, root, PII_HASH_KEY="pii-key-of-the-test-province-3f9c")
    migrate = warehouse_cli(env, "airflow", "db", "migrate", timeout=300)
    assert migrate.returncode == 0, migrate.stdout[-3000:]
    first = warehouse_cli(env, "airflow", "dags", "test", "nightly_load", "2025-09-20T07:00:00+07:00")
    counts["feedback_versions"] += 1  # the feedback with a formula-like title
    counts["feedback"] += 1
    return url, env, first, counts


ROLLUP_PERIOD = "2025-6T"  # 15/12/2024 - 14/06/2025; the province's data reach 20/09/2025


@pytest.fixture(scope="session")
def published(nightly_province):
    """The province's night, then biannual_rollup through Airflow for ROLLUP_PERIOD: (connection, env, the
    period's extracts folder)."""
    url, env, first, _ = nightly_province
    assert first.returncode == 0, first.stdout[-3000:]
    run = warehouse_cli(env, "rollup", "--period", ROLLUP_PERIOD)
    assert run.returncode == 0, run.stdout[-4000:]
    extracts = Path(env["OUTPUT_DIR"]) / "extracts" / ROLLUP_PERIOD
    with psycopg.connect(url, autocommit=True) as conn:
        yield conn, env, extracts


def secrets_found(secrets: list[str], texts: list[str], folders: list[Path]) -> list[str]:
    """Where any of `secrets` appears: in the given texts (a command's output) or any file under the folders
    (read as bytes, so logs, SQLite databases and workbooks alike)."""
    found = []
    needles = [s.encode() for s in secrets if s]
    for n, text in enumerate(texts):
        found += [f"output #{n}" for s in secrets if s and s in text]
    for folder in folders:
        for path in (p for p in Path(folder).rglob("*") if p.is_file()):
            data = path.read_bytes()
            found += [str(path) for needle in needles if needle in data]
    return found
