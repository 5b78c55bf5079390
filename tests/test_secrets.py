"""Secrets stay where they are given: the database password and the PII hashing key come from the environment
and appear in no log, no Airflow file, no dbt artefact and no extract of a full night and a published period."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import secrets_found

pytestmark = pytest.mark.slow


def test_the_scan_finds_a_secret_where_it_is(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "task.log").write_text("connecting to postgresql://u:s3cr%t@h/db\n")
    assert secrets_found(["s3cr%t"], [], [tmp_path]) == [str(tmp_path / "logs" / "task.log")]
    assert secrets_found(["s3cr%t"], ["ok", "pw=s3cr%t"], []) == ["output #1"]


def test_no_log_or_output_of_a_night_and_a_rollup_holds_the_password_or_the_key(published, nightly_province):
    _, env, _ = published
    _, _, first, _ = nightly_province
    password = unquote(urlsplit(env["DATABASE_URL"]).password or "")
    if not password:
        pytest.skip("the test server has no password (TEST_DATABASE_URL without one)")
    key = env["PII_HASH_KEY"]
    output, airflow_home = Path(env["OUTPUT_DIR"]), Path(env["AIRFLOW_HOME"])
    # the scan has something to read: the tasks' output (`dags test` writes it to stdout), the dbt log, the extracts
    assert all(f"task_id={task}" in first.stdout for task in ("ingest_motcua", "build_marts", "publish_site"))
    assert any((output / "dbt").rglob("dbt.log"))
    assert any((output / "extracts").rglob("*.xlsx"))
    assert not secrets_found([password, key], [first.stdout, first.stderr], [output, airflow_home])
