"""Where the warehouse is and how to reach it: DATABASE_URL, or the embedded server when it is unset."""

from __future__ import annotations

import os
import secrets
from urllib.parse import unquote, urlsplit

import psycopg

from .config import settings
from .embedded import EmbeddedPostgres


def database_url() -> str:
    """The warehouse URL (postgresql://...). Starts the embedded server if DATABASE_URL is unset."""
    config = settings()
    if config.database_url:
        return config.database_url
    return EmbeddedPostgres(config.pgdata_dir).ensure_running().url()


def sqlalchemy_url(url: str | None = None) -> str:
    """The same URL for SQLAlchemy-based tools (GX), which need the psycopg 3 driver named."""
    url = url or database_url()
    scheme, rest = url.split("://", 1)
    return f"postgresql+psycopg://{rest}" if scheme in ("postgres", "postgresql") else url


def connect(url: str | None = None, autocommit: bool = True) -> psycopg.Connection:
    return psycopg.connect(url or database_url(), autocommit=autocommit, application_name="khanhhoa-warehouse")


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


BOOTSTRAP_SQL = """
create schema if not exists raw;
create schema if not exists audit;
create schema if not exists dq;
create schema if not exists private;
create table if not exists private.pii_hash_key (
    hash_key    text not null,
    set_at      timestamptz not null default now(),
    singleton   boolean primary key default true check (singleton)
);
comment on table private.pii_hash_key is
  'The key of the keyed hashes that replace personal data after raw (PII_HASH_KEY); never granted to analysts.';
create schema if not exists marts;

-- analysts read the marts and the data-quality results, nothing else; people log in with their own roles
-- that are members of `analyst` (see the README)
do $$ begin
    if not exists (select from pg_roles where rolname = 'analyst') then
        create role analyst nologin;
    end if;
end $$;
grant usage on schema marts, dq to analyst;
grant select on all tables in schema marts, dq to analyst;
-- tables created later by this role (dbt's nightly rebuilds, new dq tables) are readable too
alter default privileges in schema marts grant select on tables to analyst;
alter default privileges in schema dq grant select on tables to analyst;
"""


def bootstrap(conn: psycopg.Connection) -> None:
    """Schemas and the pseudonymisation key. Idempotent; safe to run at the start of every night."""
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('warehouse.bootstrap'))")
        conn.execute(BOOTSTRAP_SQL)
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
                "insert into private.pii_hash_key (hash_key) values (%s) on conflict do nothing",
                (secrets.token_hex(32),),
            )
