"""Shared fixtures: a real PostgreSQL for the whole session, and a fresh database per test that needs one.

The server is the same embedded PostgreSQL the run command uses (CI runs as root, where pytest-postgresql
refuses to start), in a throw-away data folder under .tmp/. Set TEST_DATABASE_URL to use a server instead
(tests create and drop their own databases on it).
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest

from warehouse.config import PROJECT_ROOT
from warehouse.embedded import EmbeddedPostgres

os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
# Airflow must not write into ~/airflow while tests import it
os.environ.setdefault("AIRFLOW_HOME", str(PROJECT_ROOT / ".tmp" / "airflow-pytest"))


@pytest.fixture(scope="session")
def server_url():
    """URL of a maintenance database (postgres) on the test server."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    base = PROJECT_ROOT / ".tmp"
    base.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="test-pg-", dir=base))
    folder.chmod(0o755)
    server = EmbeddedPostgres(folder / "pgdata")
    state = server.ensure_running()
    try:
        yield state.url("postgres")
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _with_database(server: str, name: str) -> str:
    head, _, _ = server.rpartition("/")
    return f"{head}/{name}"


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


@pytest.fixture(scope="session")
def golden_warehouse(tmp_path_factory, server_url):
    """The hand-written dataset of test_golden_kpis.py loaded and built by the real pipeline; a connection."""
    from test_golden_kpis import AGENCIES, CASES, EVENTS, PROCEDURES

    root = tmp_path_factory.mktemp("golden")
    motcua = root / "landing" / "motcua"
    motcua.mkdir(parents=True)
    with open(motcua / "dm_donvi.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["MaDonVi", "TenDonVi", "LoaiDonVi", "MaDonViCha", "HieuLucTu", "HieuLucDen", "MaDonViKeThua"])
        writer.writerows(AGENCIES)
    with open(motcua / "dm_tthc.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "SoNgayGiaiQuyet", "CapThucHien",
                         "CoTrucTuyenToanTrinh"])  # fmt: skip
        writer.writerows(PROCEDURES)
    (motcua / "hoso_golden.jsonl").write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CASES) + "\n")
    with open(motcua / "sukien_golden.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["MaHoSo", "ThoiDiem", "LoaiSuKien", "MaDonVi", "NgayHenTraMoi", "GhiChu"])
        writer.writerows([*e, ""] for e in EVENTS)

    name = "golden_kpis"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"drop database if exists {name} with (force)")
        admin.execute(f"create database {name}")
    url = server_url.rsplit("/", 1)[0] + f"/{name}"
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", url)
    patch.setenv("LANDING_DIR", str(root / "landing"))
    patch.setenv("OUTPUT_DIR", str(root / "output"))
    from warehouse import nightly

    nightly.prepare()
    for source in ("motcua", "pakn", "baocao"):
        nightly.ingest(source, run_id="golden")
    nightly.build_marts(run_id="golden")  # raises if any model or dbt test fails
    patch.undo()
    with psycopg.connect(url) as conn:
        yield conn
