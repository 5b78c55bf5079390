"""Least privilege: each pipeline step's role owns its schemas and writes nothing else; `analyst` reads the
marts and the data-quality results, and no column with personal data.

The expectations are written out here by hand (not derived from warehouse/roles.py), so a change of the
grants in the code that loosens them fails a test.
"""

from __future__ import annotations

import uuid

import psycopg
import pytest

from ingestion.contracts import ENTITIES
from warehouse.db import bootstrap

pytestmark = pytest.mark.slow

OWNER = {
    "raw": "loader",
    "audit": "loader",
    "staging": "transformer",
    "intermediate": "transformer",
    "reference": "transformer",
    "marts": "transformer",
    "dq": "checker",
}
READS = {  # role: the schemas it may read (besides the ones it owns)
    "loader": set(),
    "transformer": {"raw", "audit", "private"},  # private: the PII hash key
    "checker": {"raw", "audit", "staging", "intermediate", "reference", "marts"},
    "analyst": {"marts", "dq"},
}
WRITES_BEYOND_OWN = {  # (role, table): the only writes a role has outside its schemas
    ("transformer", "audit.dbt_state"),  # the seed hash and PII key the last build used
}
ROLES = ("loader", "transformer", "checker", "analyst")


def tables(conn: psycopg.Connection, schema: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "select format('%%I.%%I', n.nspname, c.relname) from pg_class c join pg_namespace n"
            " on n.oid = c.relnamespace where n.nspname = %s and c.relkind in ('r', 'v', 'm', 'p') order by 1",
            (schema,),
        )
    ]


def as_role(conn: psycopg.Connection, role: str, sql: str):
    """Run `sql` as `role` and roll back whatever it did."""
    with conn.transaction(force_rollback=True):
        conn.execute(f"set local role {role}")
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else None


def test_every_schema_and_table_belongs_to_the_role_of_its_step(golden_warehouse):
    conn = golden_warehouse
    for schema, owner in OWNER.items():
        assert (
            conn.execute("select nspowner::regrole::text from pg_namespace where nspname = %s", (schema,)).fetchone()[0]
            == owner
        )
        found = tables(conn, schema)
        assert found, f"no tables in {schema}"
        wrong = conn.execute(
            "select c.relname, pg_get_userbyid(c.relowner) from pg_class c join pg_namespace n"
            " on n.oid = c.relnamespace where n.nspname = %s and c.relkind in ('r', 'v', 'm', 'p', 'S')"
            " and pg_get_userbyid(c.relowner) <> %s",
            (schema, owner),
        ).fetchall()
        assert wrong == [], f"{schema}: not owned by {owner}: {wrong}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reads_exactly_the_schemas_of_its_step(golden_warehouse, role):
    conn = golden_warehouse
    for schema, owner in {**OWNER, "private": None}.items():
        allowed = role == owner or schema in READS[role]
        for table in tables(conn, schema):
            readable = conn.execute("select has_table_privilege(%s, %s, 'select')", (role, table)).fetchone()[0]
            assert readable == allowed, f"{role} {'reads' if readable else 'cannot read'} {table}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_writes_only_in_its_own_schemas(golden_warehouse, role):
    conn = golden_warehouse
    for schema, owner in {**OWNER, "private": None, "public": None}.items():
        for table in tables(conn, schema):
            writes = conn.execute(
                "select has_any_column_privilege(%s, %s, 'insert, update') or has_table_privilege(%s, %s,"
                " 'insert, update, delete, truncate')",
                (role, table, role, table),
            ).fetchone()[0]
            expected = (
                role == owner
                or (role, table) in WRITES_BEYOND_OWN
                or (role, table)
                == (
                    "checker",
                    "audit.batches",
                )
            )
            assert writes == expected, f"{role} {'writes' if writes else 'cannot write'} {table}"
        creates = conn.execute("select has_schema_privilege(%s, %s, 'create')", (role, schema)).fetchone()[0]
        assert creates == (role == owner), f"{role} {'can' if creates else 'cannot'} create in {schema}"


def test_the_checker_may_set_a_batch_verdict_and_nothing_else_of_the_ledger(golden_warehouse):
    conn = golden_warehouse
    as_role(conn, "checker", "update audit.batches set validation = 'passed'")
    for statement in ("update audit.batches set status = 'excluded'", "delete from audit.batches"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_role(conn, "checker", statement)


@pytest.mark.parametrize(
    ("role", "statement"),
    [
        ("loader", "insert into marts.dim_period (period_id) values ('x')"),
        ("loader", "create table marts.mine (x int)"),
        ("transformer", "delete from raw.motcua_cases"),
        ("transformer", "insert into dq.gaps (gap_key) values ('x')"),
        ("checker", "delete from marts.fct_cases"),
        ("checker", "truncate raw.motcua_cases"),
    ],
)
def test_a_step_role_cannot_touch_another_steps_tables(golden_warehouse, role, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_role(golden_warehouse, role, statement)


@pytest.mark.parametrize("table", ["marts.kpi_case_timeliness", "marts.fct_cases", "marts.dim_agency", "dq.open_gaps"])
def test_analyst_reads_the_marts_and_the_quality_results(golden_warehouse, table):
    """The analyst sees every row the owner sees (no row-level filter hides any), and the marts have rows."""
    seen = as_role(golden_warehouse, "analyst", f"select count(*) from {table}")[0][0]
    assert seen == golden_warehouse.execute(f"select count(*) from {table}").fetchone()[0]
    assert seen > 0 or table == "dq.open_gaps"  # the golden night may leave no gap open


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
        as_role(golden_warehouse, "analyst", f"select * from {table} limit 1")


def test_analyst_cannot_read_a_single_column_of_personal_data(golden_warehouse):
    conn = golden_warehouse
    personal = [(e.table, f.column) for e in ENTITIES for f in e.fields if f.pii]
    assert len(personal) >= 9  # names, ID numbers, phones, addresses, clerks' notes, citizens' texts
    for table, column in personal:
        assert conn.execute(
            "select 1 from information_schema.columns where table_schema || '.' || table_name = %s"
            " and column_name = %s",
            (table, column),
        ).fetchone(), f"{table}.{column} does not exist: the check below would prove nothing"
        readable = conn.execute("select has_column_privilege('analyst', %s, %s, 'select')", (table, column))
        assert readable.fetchone()[0] is False, f"analyst can read {table}.{column}"


@pytest.mark.parametrize(
    "statement",
    [
        "delete from marts.fct_cases",
        "insert into marts.dim_period (period_id) values ('x')",
        "update dq.gaps set closed_at = now()",
        "create table marts.mine (x int)",
        "drop table marts.fct_cases",
        "create table public.mine (x int)",
        "create schema mine",
    ],
)
def test_analyst_cannot_write_anywhere(golden_warehouse, statement):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_role(golden_warehouse, "analyst", statement)


def test_a_server_login_set_up_as_the_readme_says_runs_the_bootstrap(server_url):
    """README, "Roles and access": the administrator makes the roles and an ordinary login that is a
    member of them and owns the database; the pipeline needs nothing more."""
    login, password = f"warehouse_{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    database = f"t_{login}"
    head = server_url.rsplit("/", 1)[0]
    with psycopg.connect(server_url, autocommit=True) as admin:
        for role in ROLES:
            if not admin.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone():
                admin.execute(f"create role {role} nologin")
        admin.execute(f"create role {login} login password '{password}'")
        admin.execute(f"grant loader, transformer, checker, analyst to {login}")
        admin.execute(f"create database {database} owner {login}")
    try:
        url = f"postgresql://{login}:{password}@{head.rsplit('@', 1)[1]}/{database}"
        with psycopg.connect(url, autocommit=True) as conn:
            assert (
                conn.execute("select rolsuper or rolcreaterole from pg_roles where rolname = current_user").fetchone()[
                    0
                ]
                is False
            )
            bootstrap(conn)
            bootstrap(conn)  # idempotent
            owners = dict(conn.execute("select nspname, nspowner::regrole::text from pg_namespace").fetchall())
            assert {s: owners[s] for s in OWNER} == OWNER
            assert (
                conn.execute(
                    "select pg_get_userbyid(relowner) from pg_class where oid = 'raw.motcua_cases'::regclass"
                ).fetchone()[0]
                == "loader"
            )
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f"drop database if exists {database} with (force)")
            admin.execute(f"drop owned by {login}")
            admin.execute(f"drop role {login}")


def test_tables_made_before_the_roles_move_to_their_schemas_owner(fresh_db):
    with psycopg.connect(fresh_db, autocommit=True) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.old_kpi (x int)")  # as the login, like a warehouse from before roles
        bootstrap(conn)
        assert (
            conn.execute(
                "select pg_get_userbyid(relowner) from pg_class where oid = 'marts.old_kpi'::regclass"
            ).fetchone()[0]
            == "transformer"
        )
        assert conn.execute("select has_table_privilege('analyst', 'marts.old_kpi', 'select')").fetchone()[0]
