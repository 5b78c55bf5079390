"""The runbook's backup and restore (`make db-dump`, `make db-restore`) on the province's warehouse: what comes
back is the same data with the same owners and grants, and the batch ledger still recognises every file."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from conftest import new_database, warehouse_cli

from ingestion.ingest import ingest_folder

pytestmark = pytest.mark.slow

FINGERPRINTS = {
    "raw.motcua_cases": "select md5(string_agg(mahoso || ngaycapnhat::text, '|' order by mahoso, ngaycapnhat))",
    "audit.batches": "select md5(string_agg(batch_id || status || location, '|' order by batch_id))",
    "marts.fct_cases": "select md5(string_agg(t::text, '|' order by t::text))",
    "dq.validation_results": "select count(*)::text",
}


def _fingerprints(conn) -> dict:
    return {table: conn.execute(f"{query} from {table} as t").fetchone()[0] for table, query in FINGERPRINTS.items()}


@pytest.fixture(scope="module")
def restored(nightly_province, server_url, tmp_path_factory):
    url, env, first, _ = nightly_province
    assert first.returncode == 0, first.stdout[-3000:]
    dump = tmp_path_factory.mktemp("backup") / "warehouse.dump"
    done = warehouse_cli(env, "db", "dump", str(dump))
    assert done.returncode == 0, done.stderr
    target = new_database(server_url, "restored_province")
    restore_env = {**env, "DATABASE_URL": target}
    first_restore = warehouse_cli(restore_env, "db", "restore", str(dump))
    with psycopg.connect(url, autocommit=True) as source, psycopg.connect(target, autocommit=True) as copy:
        yield {
            "dump": dump,
            "env": restore_env,
            "source": source,
            "copy": copy,
            "url": target,
            "first_restore": first_restore,
        }


def test_a_restore_brings_back_the_same_data(restored):
    assert restored["first_restore"].returncode == 0, restored["first_restore"].stderr
    assert _fingerprints(restored["copy"]) == _fingerprints(restored["source"])
    assert restored["copy"].execute("select count(*) from marts.kpi_case_timeliness").fetchone()[0] > 0


def test_a_restore_keeps_owners_and_the_analysts_limits(restored):
    copy = restored["copy"]
    owner = copy.execute("select pg_get_userbyid(relowner) from pg_class where oid = 'raw.motcua_cases'::regclass")
    assert owner.fetchone()[0] == "loader"
    with psycopg.connect(restored["url"], autocommit=True, options="-c role=analyst") as analyst:
        assert analyst.execute("select count(*) from marts.fct_cases").fetchone()[0] > 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            analyst.execute("select count(*) from raw.motcua_cases")


def test_the_restored_ledger_loads_no_file_twice(restored):
    landing = Path(restored["env"]["LANDING_DIR"])
    result = ingest_folder(restored["copy"], "motcua", landing)
    assert result.batches and {b.status for b in result.batches} == {"skipped"}


def test_a_restore_refuses_a_database_that_is_not_empty_unless_told_to_replace_it(restored):
    refused = warehouse_cli(restored["env"], "db", "restore", str(restored["dump"]))
    assert refused.returncode == 1
    assert "not empty" in refused.stdout and "--replace" in refused.stdout
    restored["copy"].execute("create table marts.scratch_by_hand (x int)")
    replaced = warehouse_cli(restored["env"], "db", "restore", str(restored["dump"]), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    with psycopg.connect(restored["url"], autocommit=True) as again:
        assert again.execute("select to_regclass('marts.scratch_by_hand')").fetchone()[0] is None
        assert _fingerprints(again) == _fingerprints(restored["source"])
