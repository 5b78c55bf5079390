"""Where the warehouse is and how to reach it: DATABASE_URL, or the embedded server when it is unset."""

from __future__ import annotations

import os
import secrets
from urllib.parse import quote, unquote, urlsplit

import psycopg

from . import roles
from .config import settings
from .embedded import EmbeddedPostgres


def database_url() -> str:
    """The warehouse URL (postgresql://...). Starts the embedded server if DATABASE_URL is unset."""
    config = settings()
    if config.database_url:
        return config.database_url
    return EmbeddedPostgres(config.pgdata_dir).ensure_running().url()


def sqlalchemy_url(url: str | None = None, role: str | None = None) -> str:
    """The same URL for SQLAlchemy-based tools (GX), which need the psycopg 3 driver named; with `role`, its
    connections act as that role."""
    url = url or database_url()
    scheme, rest = url.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        url = f"postgresql+psycopg://{rest}"
    if role:
        url += ("&" if "?" in url else "?") + "options=" + quote(f"-c role={role}", safe="")
    return url


def connect(url: str | None = None, autocommit: bool = True, role: str | None = None) -> psycopg.Connection:
    """A connection as the login, or acting as one of the pipeline's roles (warehouse.roles) from the start."""
    options = {"options": f"-c role={role}"} if role else {}
    return psycopg.connect(
        url or database_url(), autocommit=autocommit, application_name="khanhhoa-warehouse", **options
    )


def connection_parts(url: str) -> dict[str, str]:
    """host/port/user/password/dbname of a URL, for tools that take them apart (dbt profiles)."""
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": str(parts.port or 5432),
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "dbname": parts.path.lstrip("/") or "postgres",
    }


def redact(url: str) -> str:
    """The URL without its password, for logs and messages."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


PRIVATE_SQL = """
create schema if not exists private;
create table if not exists private.pii_hash_key (
    hash_key    text not null,
    set_at      timestamptz not null default now(),
    singleton   boolean primary key default true check (singleton)
);
comment on table private.pii_hash_key is
  'The key of the keyed hashes that replace personal data after raw (PII_HASH_KEY); only dbt reads it.';
"""

# Tables of `audit` that are not ingestion's own: made as loader (the owner of audit), granted in roles.py.
AUDIT_SQL = """
create table if not exists audit.dbt_state (
    key         text primary key,
    value       text not null,
    updated_at  timestamptz not null default now()
);
comment on table audit.dbt_state is
  'What the nightly build needs to remember: the hash of the seed files and the PII key it built with.';
create table if not exists audit.nightly_runs (
    run_id              text primary key,
    started_at          timestamptz not null default now(),
    marts_validated_at  timestamptz,
    finished_at         timestamptz,
    state               text not null default 'running' check (state in ('running', 'success', 'failed')),
    failed_task         text,
    message             text
);
comment on table audit.nightly_runs is
  'One row per nightly_load run: when it started, when its marts passed validation, how it ended.';
-- the night's delivery moment (the run's logical date): the data date its batches are judged as of
alter table audit.nightly_runs add column if not exists delivered_at timestamptz;
"""


def bootstrap(conn: psycopg.Connection) -> None:
    """Roles, schemas, the fixed tables, grants and the pseudonymisation key. Idempotent; runs at the start of
    every night as the login (see warehouse.roles)."""
    from expectations.runner import DQ_DDL
    from ingestion.raw_schema import ensure_raw_schema

    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('warehouse.bootstrap'))")
        roles.create_roles(conn)
        roles.create_schemas(conn)
        conn.execute(PRIVATE_SQL)
        _set_pii_key(conn)
        conn.execute(f"set local role {roles.LOADER}")
        ensure_raw_schema(conn)
        conn.execute(AUDIT_SQL)
        conn.execute(f"set local role {roles.CHECKER}")
        conn.execute(DQ_DDL)
        conn.execute("reset role")
        roles.grant_access(conn)


def _set_pii_key(conn: psycopg.Connection) -> None:
    key = os.environ.get("PII_HASH_KEY")
    if key:
        conn.execute(
            "insert into private.pii_hash_key (hash_key) values (%s) on conflict (singleton) do update"
            " set hash_key = excluded.hash_key, set_at = now()"
            " where private.pii_hash_key.hash_key <> excluded.hash_key",
            (key,),
        )
    else:  # no key configured: make one once and keep it, so hashes stay stable night after night
        conn.execute(
            "insert into private.pii_hash_key (hash_key) values (%s) on conflict do nothing", (secrets.token_hex(32),)
        )
