"""The analyst role reads the marts and the data-quality results, and nothing else."""

from __future__ import annotations

import psycopg
import pytest

pytestmark = pytest.mark.slow


def as_analyst(conn: psycopg.Connection, sql: str):
    with conn.transaction():
        conn.execute("set local role analyst")
        return conn.execute(sql).fetchall()


@pytest.mark.parametrize("table", ["marts.kpi_case_timeliness", "marts.fct_cases", "marts.dim_agency"])
def test_analyst_reads_the_marts(golden_warehouse, table):
    assert as_analyst(golden_warehouse, f"select count(*) from {table}")[0][0] > 0


@pytest.mark.parametrize(
    "table",
    [
        "raw.motcua_cases",
        "raw.quarantine",
        "staging.stg_motcua__cases",
        "intermediate.int_cases_classified",
        "audit.batches",
        "private.pii_hash_key",
        "reference.ref_kpi_targets",
    ],
)
def test_analyst_cannot_read_outside_marts_and_dq(golden_warehouse, table):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_analyst(golden_warehouse, f"select * from {table} limit 1")


@pytest.mark.parametrize(
    "statement",
    [
        "delete from marts.fct_cases",
        "insert into marts.dim_period (period_id) values ('x')",
        "create table marts.mine (x int)",
        "drop table marts.fct_cases",
        "create table public.mine (x int)",
    ],
)
def test_analyst_cannot_write_anywhere(golden_warehouse, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_analyst(golden_warehouse, statement)
