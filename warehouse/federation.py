"""A regional (or national) warehouse over several provinces' warehouses, with PostgreSQL's own postgres_fdw.

Each province keeps its warehouse, its raw data and its personal data. It lets the region in through one login
role that is a member of `analyst` (`grant_region_reader`): that role reads `marts` and `dq` and nothing else, so no
raw or staging table is reachable from the region, whatever the region asks for.

The region imports each province's `marts` as foreign tables into a schema of its own (`province_<code>`), and
`refresh` rebuilds, in one transaction, one table per mart in the schema `region`: the union of the provinces'
rows. Every mart row carries its `province_code` (docs/sources.md), so the union needs no guessing; a mart whose
columns differ between provinces (one of them not upgraded yet) is left out of that refresh, and said so. The
tables, not live views, are what analysts query: a province down at noon does not stop the region's queries, and
the nightly `regional_refresh` DAG brings them up to date after the provinces' nights.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import sql

from .roles import ANALYST

log = logging.getLogger(__name__)
REGION = "region"


def grant_region_reader(conn: psycopg.Connection, login: str, password: str) -> None:
    """On a province: the login the region connects with, allowed exactly what analysts are (marts and dq)."""
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (login,)).fetchone()
    verb = "alter" if exists else "create"
    conn.execute(sql.SQL(verb + " role {} login password {}").format(sql.Identifier(login), sql.Literal(password)))
    conn.execute(sql.SQL("grant {} to {}").format(sql.Identifier(ANALYST), sql.Identifier(login)))


def _schema(code: str) -> str:
    if not code.isalnum():
        raise ValueError(f"a province code is letters and digits, got {code!r}")
    return f"province_{code}"


def attach_province(conn: psycopg.Connection, code: str, url: str) -> None:
    """On the region: the province's marts as foreign tables in `province_<code>` (replacing any earlier import)."""
    parts, schema = urlsplit(url), _schema(code)
    server = f"warehouse_{code}"
    options = {"host": parts.hostname or "localhost", "port": str(parts.port or 5432), "dbname": parts.path.lstrip("/")}
    with conn.transaction():
        conn.execute("create extension if not exists postgres_fdw")
        conn.execute(sql.SQL("drop server if exists {} cascade").format(sql.Identifier(server)))
        conn.execute(
            sql.SQL("create server {} foreign data wrapper postgres_fdw options ({})").format(
                sql.Identifier(server),
                sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(k), sql.Literal(v)) for k, v in options.items()
                ),
            )
        )
        conn.execute(
            sql.SQL("create user mapping for current_user server {} options (user {}, password {})").format(
                sql.Identifier(server),
                sql.Literal(unquote(parts.username or "")),
                sql.Literal(unquote(parts.password or "")),
            )
        )
        conn.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("create schema {}").format(sql.Identifier(schema)))
        conn.execute(
            sql.SQL("import foreign schema marts from server {} into {}").format(
                sql.Identifier(server), sql.Identifier(schema)
            )
        )


def provinces(conn: psycopg.Connection) -> list[str]:
    """The provinces attached to this region (their schemas)."""
    rows = conn.execute("select nspname from pg_namespace where nspname like 'province\\_%' order by 1").fetchall()
    return [r[0].removeprefix("province_") for r in rows]


@dataclass
class Refreshed:
    tables: dict[str, int]  # region table -> rows
    left_out: dict[str, str]  # mart -> why


def _columns(conn, schema: str) -> dict[str, list[tuple[str, str]]]:
    rows = conn.execute(
        "select c.relname, a.attname, format_type(a.atttypid, a.atttypmod) from pg_class c"
        " join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid"
        " where n.nspname = %s and c.relkind = 'f' and a.attnum > 0 and not a.attisdropped"
        " order by c.relname, a.attnum",
        (schema,),
    ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        out.setdefault(table, []).append((column, kind))
    return out


def refresh(conn: psycopg.Connection) -> Refreshed:
    """Rebuild the region's tables from every attached province, in one transaction (readers see the old ones
    until it commits)."""
    codes = provinces(conn)
    if not codes:
        raise ValueError("no province attached: run `python -m warehouse region attach CODE URL` first")
    shapes = {code: _columns(conn, _schema(code)) for code in codes}
    result = Refreshed({}, {})
    with conn.transaction():
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(REGION)))
        for table in sorted(set().union(*(s.keys() for s in shapes.values()))):
            found = [shapes[c].get(table) for c in codes]
            if any(f is None for f in found) or any(f != found[0] for f in found):
                result.left_out[table] = "its columns differ between the provinces (or a province lacks it)"
                continue
            if "province_code" not in {name for name, _ in found[0]}:
                result.left_out[table] = "it has no province_code"
                continue
            union = sql.SQL(" union all ").join(
                sql.SQL("select * from {}.{}").format(sql.Identifier(_schema(c)), sql.Identifier(table)) for c in codes
            )
            target = sql.Identifier(REGION, table)
            conn.execute(sql.SQL("drop table if exists {}").format(target))
            conn.execute(sql.SQL("create table {} as {}").format(target, union))
            result.tables[table] = conn.execute(sql.SQL("select count(*) from {}").format(target)).fetchone()[0]
        if conn.execute("select 1 from pg_roles where rolname = %s", (ANALYST,)).fetchone():
            conn.execute(
                sql.SQL("grant usage on schema {} to {}").format(sql.Identifier(REGION), sql.Identifier(ANALYST))
            )
            conn.execute(
                sql.SQL("grant select on all tables in schema {} to {}").format(
                    sql.Identifier(REGION), sql.Identifier(ANALYST)
                )
            )
    for table, why in result.left_out.items():
        log.warning("region: %s left out: %s", table, why)
    return result
