"""Who may do what in the warehouse: one database role per pipeline step, and `analyst` for people.

    loader       owns raw and audit: the ingest tasks write batches, the ledger, watermarks, the run log
    transformer  owns staging, intermediate, reference and marts: dbt reads raw and builds everything else
    checker      owns dq: Great Expectations reads raw and the models, records results and gaps, and sets a
                 batch's validation verdict (that one column of audit.batches, nothing else there)
    analyst      reads marts and dq, nothing else; people log in with their own roles, members of analyst,
                 and the six-monthly extracts are built under it

The pipeline logs in once (DATABASE_URL) and each step connects with the option `-c role=<role>`, so its
statements run with that role's privileges only and what it creates belongs to that role. Tables a step
creates later (dbt rebuilds its tables every night) are readable by the next steps through default
privileges. The login must be allowed to set this up: the embedded server's superuser, or on a server the
database's owner, made a member of the four roles by an administrator (README, "Roles and access").
"""

from __future__ import annotations

import psycopg
from psycopg import sql

LOADER, TRANSFORMER, CHECKER, ANALYST = "loader", "transformer", "checker", "analyst"
ROLES = (LOADER, TRANSFORMER, CHECKER, ANALYST)

# schema: (owner, roles that read every table in it)
SCHEMAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "raw": (LOADER, (TRANSFORMER, CHECKER)),
    "audit": (LOADER, (TRANSFORMER, CHECKER)),
    "staging": (TRANSFORMER, (CHECKER,)),
    "intermediate": (TRANSFORMER, (CHECKER,)),
    "reference": (TRANSFORMER, (CHECKER,)),
    "marts": (TRANSFORMER, (CHECKER, ANALYST)),
    "dq": (CHECKER, (ANALYST,)),
}

# what a role needs beyond reading: run after the tables exist
EXTRA_GRANTS = """
grant update (validation) on audit.batches to checker;
grant select, insert, update on audit.dbt_state to transformer;
grant usage on schema private to transformer;
grant select on private.pii_hash_key to transformer;
"""

# Tables (relations) that can change owner on their own; sequences owned by a column follow their table.
_MISOWNED = """
select c.relkind, format('%%I.%%I', n.nspname, c.relname)
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = %s and c.relowner <> %s::regrole
  and (c.relkind in ('r', 'p', 'v', 'm', 'f')
       or (c.relkind = 'S' and not exists (
             select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid
             and d.deptype in ('a', 'i'))))
"""
_ALTER = {"r": "table", "p": "table", "v": "view", "m": "materialized view", "f": "foreign table", "S": "sequence"}


class RoleSetupError(RuntimeError):
    """The login cannot create or use the pipeline's roles."""


def create_roles(conn: psycopg.Connection) -> None:
    """The four roles (no login of their own), and membership of each for the pipeline's login."""
    for role in ROLES:
        if not conn.execute("select 1 from pg_roles where rolname = %s", (role,)).fetchone():
            try:
                conn.execute(sql.SQL("create role {} nologin").format(sql.Identifier(role)))
            except psycopg.errors.InsufficientPrivilege as exc:
                raise RoleSetupError(
                    f"the login cannot create the role {role!r}: give it CREATEROLE, or have an administrator"
                    f" run `create role {role} nologin; grant {role} to <login>` (README)"
                ) from exc
        if not conn.execute("select pg_has_role(current_user, %s, 'member')", (role,)).fetchone()[0]:
            try:
                conn.execute(sql.SQL("grant {} to current_user").format(sql.Identifier(role)))
            except psycopg.errors.InsufficientPrivilege as exc:
                raise RoleSetupError(
                    f"the login is not a member of {role!r} and cannot grant it to itself: as an administrator"
                    f" run `grant {role} to <login>`"
                ) from exc


def create_schemas(conn: psycopg.Connection) -> None:
    for schema, (owner, _) in SCHEMAS.items():
        conn.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("alter schema {} owner to {}").format(sql.Identifier(schema), sql.Identifier(owner)))


def grant_access(conn: psycopg.Connection) -> None:
    """Owners, readers and default privileges, schema by schema. Also moves tables made before the roles
    existed (or by hand, as the login) to their schema's owner."""
    for schema, (owner, readers) in SCHEMAS.items():
        for kind, name in conn.execute(_MISOWNED, (schema, owner)).fetchall():
            conn.execute(sql.SQL(f"alter {_ALTER[kind]} {name} owner to {{}}").format(sql.Identifier(owner)))
        s, o = sql.Identifier(schema), sql.Identifier(owner)
        targets = sql.SQL(", ").join(sql.Identifier(r) for r in readers)
        conn.execute(sql.SQL("grant usage on schema {} to {}").format(s, targets))
        conn.execute(sql.SQL("grant select on all tables in schema {} to {}").format(s, targets))
        conn.execute(
            sql.SQL("alter default privileges for role {} in schema {} grant select on tables to {}").format(
                o, s, targets
            )
        )
    conn.execute(EXTRA_GRANTS)
