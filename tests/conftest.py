"""Shared fixtures: a real PostgreSQL for the whole session, and a fresh database per test that needs one.

The server is the same embedded PostgreSQL the run command uses (CI runs as root, where pytest-postgresql
refuses to start), in a throw-away data folder under .tmp/. Set TEST_DATABASE_URL to use a server instead
(tests create and drop their own databases on it).
"""

from __future__ import annotations

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
