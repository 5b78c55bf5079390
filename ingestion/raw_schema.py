"""DDL for what ingestion owns: the `raw` tables (derived from the contracts), quarantine, and the ledger.

Idempotent: run at the start of every ingest. A field added to a contract becomes a new nullable column.
"""

from __future__ import annotations

import psycopg

from .contracts import ENTITIES, Entity, entities_of

PG_TYPES = {
    "text": "text",
    "int": "integer",
    "bool": "boolean",
    "timestamp": "timestamptz",
    "date": "date",
    "number": "numeric",
}
META_COLUMNS = ("_batch_id", "_source_location", "_source_row")

LEDGER_DDL = """
-- the schemas are the bootstrap's (warehouse.db); made here only on a bare database (tests)
do $$ begin
    if to_regnamespace('raw') is null then create schema raw; end if;
    if to_regnamespace('audit') is null then create schema audit; end if;
end $$;

create table if not exists audit.batches (
    batch_id          bigint generated always as identity primary key,
    source            text not null,
    entity            text not null,
    mode              text not null check (mode in ('file', 'api')),
    location          text not null,
    content_sha256    text,
    range_from        timestamptz,
    range_to          timestamptz,
    status            text not null check (status in ('loading', 'loaded', 'rejected', 'failed')),
    rows_read         integer not null default 0,
    rows_loaded       integer not null default 0,
    rows_quarantined  integer not null default 0,
    message           text,
    run_id            text,
    started_at        timestamptz not null default clock_timestamp(),
    finished_at       timestamptz
);
comment on table audit.batches is
  'One row per batch (a file or an API pull): what was read, loaded and quarantined, and how it ended.';
-- validation: null until Great Expectations has looked at the batch, then passed / warned / failed;
-- status 'excluded': an operator took a loaded batch out of the warehouse (staging ignores it)
alter table audit.batches add column if not exists validation text;
alter table audit.batches add column if not exists excluded_reason text;
alter table audit.batches drop constraint if exists batches_status_check;
alter table audit.batches add constraint batches_status_check
    check (status in ('loading', 'loaded', 'rejected', 'failed', 'excluded'));
-- which province the batch belongs to (PROVINCE_CODE), the shape it came in, the timestamp forms it held, and for
-- the events a case file carried (the portal's supplement list), the case batch they came with
alter table audit.batches add column if not exists province_code text;
alter table audit.batches add column if not exists dialect text;
alter table audit.batches add column if not exists timestamp_forms jsonb;
alter table audit.batches add column if not exists parent_batch_id bigint references audit.batches (batch_id);
-- the same content is loaded (or rejected, or excluded by an operator) once per entity, even by two loaders racing
drop index if exists audit.batches_once;
create unique index if not exists batches_once_per_entity
    on audit.batches (entity, content_sha256) where status in ('loading', 'loaded', 'rejected', 'excluded');

create table if not exists raw.quarantine (
    quarantine_id   bigint generated always as identity primary key,
    batch_id        bigint,
    source          text not null,
    entity          text not null,
    location        text not null,
    line_no         integer,
    cell            text,
    reason          text not null,
    record          text,
    quarantined_at  timestamptz not null default clock_timestamp()
);
comment on table raw.quarantine is
  'Rows and files that broke the source contract, with the reason and where they were (file, line, cell).';

create table if not exists audit.watermarks (
    source        text not null,
    resource      text not null,
    watermark     timestamptz not null,
    updated_at    timestamptz not null default clock_timestamp(),
    primary key (source, resource)
);
comment on table audit.watermarks is 'Per API resource: the NgayCapNhat up to which changes have been loaded.';
"""


def table_ddl(entity: Entity) -> str:
    columns = ",\n    ".join(f"{f.column} {PG_TYPES[f.kind]}" for f in entity.fields)
    adds = "\n".join(
        f"alter table {entity.table} add column if not exists {f.column} {PG_TYPES[f.kind]};" for f in entity.fields
    )
    # staging re-reads every version of the keys a new batch touched: find them by key, not by a full scan
    key_index = (
        f"create index if not exists {entity.name}_key on {entity.table} ({entity.key[0].lower()});\n"
        if entity.version_field and entity.key and not entity.latest_version_fields
        else ""
    )
    if entity.latest_version_fields:  # the key index in version order, carrying what is read of the latest
        key, version = entity.key[0].lower(), entity.field(entity.version_field).column
        carried = ", ".join(entity.field(f).column for f in entity.latest_version_fields)
        key_index = (
            f"drop index if exists raw.{entity.name}_key;\n"
            f"create index if not exists {entity.name}_versions on {entity.table}"
            f" ({key}, {version} desc, _batch_id desc, _source_row desc) include ({carried});\n"
        )
    if entity.indexed_by_agency_period:  # with the key, so counting an agency's records reads the index only
        agency, period = (entity.field(f).column for f in (entity.agency_field, entity.period_field))
        key_index += (
            f"create index if not exists {entity.name}_agency_period on {entity.table} ({agency}, {period})"
            f" include ({entity.key[0].lower()});\n"
        )
    return f"""
create table if not exists {entity.table} (
    {columns},
    _batch_id bigint not null,
    _source_location text not null,
    _source_row integer,
    _loaded_at timestamptz not null default now()
);
{adds}
-- a batch's rows (a night's staging, the raw checks): raw is append-only, so they are contiguous and a BRIN
-- index finds them at almost no cost to the load; the btree it replaces cost COPY 0.3-0.8 s a month of events
drop index if exists raw.{entity.name}_batch;
create index if not exists {entity.name}_batch_ranges on {entity.table} using brin (_batch_id)
    with (autosummarize = on);
{key_index}"""


def ensure_raw_schema(conn: psycopg.Connection) -> None:
    with conn.transaction():
        # one creator at a time: parallel ingest tasks would otherwise race on CREATE ... IF NOT EXISTS
        conn.execute("select pg_advisory_xact_lock(hashtext('ingestion.raw_schema'))")
        conn.execute(LEDGER_DDL)
        for entity in ENTITIES:
            conn.execute(table_ddl(entity))


def refresh_statistics(conn: psycopg.Connection, source: str) -> None:
    """ANALYZE the raw tables of `source` once a night has loaded into them. The raw checks and staging read
    tonight's batches by `_batch_id`; with statistics from before the batch the planner takes it for one row
    and joins it to itself by nested loops (a 13,000-row batch: 43 s for one check instead of 0.1 s)."""
    for entity in entities_of(source):
        conn.execute(f"analyze {entity.table}")
