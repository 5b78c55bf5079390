"""Load one batch (a file or an API pull) into `raw` with COPY, in one transaction, with a ledger row.

Guarantees:
- a batch loads whole or not at all: rows, quarantined rows and the ledger's `loaded` row commit together;
- the same content is loaded once per entity (content hash in the ledger); re-running a night loads nothing
  twice, and two loaders racing on one file cannot both load it;
- a row that breaks the contract goes to `raw.quarantine` with the reason and its line or cell; the rest of
  the batch loads;
- a file that is not what it claims is rejected as a whole: a `rejected` ledger row and one quarantine row
  say why;
- an unexpected error in one batch marks it `failed` with the error and leaves raw as it was, and the next
  batches still load (a re-run retries only the failed one); only an error that no next batch could escape
  either - the database gone, a source that does not answer (`SourceDown`) - is raised, for the task to retry.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import SpooledTemporaryFile

import orjson
import psycopg
from psycopg import sql

from warehouse.config import province

from .contracts import Entity
from .normalise import RecordError, copy_line, escape, line_formatter, storable
from .raw_schema import META_COLUMNS
from .readers import FileRejected, SourceRow

log = logging.getLogger(__name__)
FLUSH_LINES = 4000
QUARANTINE_COLUMNS = ("batch_id", "source", "entity", "location", "line_no", "cell", "reason", "record")


@dataclass
class BatchResult:
    source: str
    entity: str
    location: str
    status: str  # loaded | rejected | failed | skipped
    batch_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    message: str | None = None
    notes: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _as_text(record: object) -> str:
    try:
        return orjson.dumps(record, default=str).decode()
    except TypeError:
        return repr(record)


def _derived(format_line, record: dict, suffix: str) -> str:
    try:
        return format_line(record, suffix)
    except RecordError as exc:
        raise RecordError(f"{record.get('LoaiSuKien') or 'a record'} it carries: {exc}") from None


class SourceDown(RuntimeError):
    """The source could not be reached (after its own retries): nothing else of it can load now; retry later."""


RAISED = (psycopg.OperationalError, psycopg.InterfaceError, SourceDown)  # what one batch's failure must not hide


class Loader:
    """Needs an autocommit connection: each batch is its own explicit transaction."""

    def __init__(self, conn: psycopg.Connection, run_id: str | None = None):
        if not conn.autocommit:
            raise ValueError("Loader needs an autocommit connection (one explicit transaction per batch)")
        self.conn = conn
        self.run_id = run_id
        self.province_code = province()[0]

    def seen(self, entity: Entity, content_sha256: str) -> tuple[str, int] | None:
        row = self.conn.execute(
            "select status, batch_id from audit.batches where entity = %s and content_sha256 = %s "
            "and status in ('loaded', 'rejected', 'excluded') order by batch_id desc limit 1",
            (entity.name, content_sha256),
        ).fetchone()
        return (row[0], row[1]) if row else None

    def load(
        self,
        entity: Entity,
        location: str,
        rows: Iterable[SourceRow],
        *,
        content_sha256: str | None,
        mode: str = "file",
        range_from=None,
        range_to=None,
        notes: list[str] | Callable[[], list[str]] | None = None,
        finalize: Callable[[psycopg.Connection, int], None] | None = None,
        dialect: str = "standard",
        timestamp_forms: dict | None = None,
        companion: Entity | None = None,
    ) -> BatchResult:
        """Load `rows` as one batch. `rows` may raise FileRejected while being read. `finalize` runs inside
        the batch's transaction after the rows (e.g. to move an API watermark with the data it covers).
        `notes` may be a function, called once the rows are read. The records a row carries (`derived`) load
        into `companion`'s table in the same transaction, as a child batch (`parent_batch_id`); a row whose
        derived record breaks the contract is quarantined whole. `timestamp_forms` is read after the rows."""
        late_notes = notes if callable(notes) else None
        notes = None if callable(notes) else notes
        result = BatchResult(entity.source, entity.name, location, "loaded", notes=notes if notes is not None else [])
        if content_sha256:
            previous = self.seen(entity, content_sha256)
            if previous:
                result.status, result.batch_id = "skipped", previous[1]
                result.message = f"same content already {previous[0]} as batch {previous[1]}"
                return result
        try:
            with self.conn.transaction():
                batch_id = self._open_batch(entity, mode, location, content_sha256, range_from, range_to, dialect)
                child_id = None
                if companion is not None:
                    child_id = self._open_batch(companion, mode, f"{location}#derived", None, None, None, dialect)
                result.batch_id = batch_id
                with (
                    SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8") as quarantine,
                    SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8") as derived,
                ):
                    children = (companion, child_id, derived) if companion is not None else None
                    self._copy_rows(entity, location, batch_id, rows, result, quarantine, children)
                    quarantine.seek(0)
                    self._copy_quarantine(quarantine)
                    if children is not None:
                        derived.seek(0)
                        self._finish_child(companion, child_id, batch_id, derived)
                if late_notes is not None:
                    result.notes.extend(late_notes())
                message = storable("; ".join(result.notes)) or None
                forms = orjson.dumps(dict(timestamp_forms)).decode() if timestamp_forms else None
                self.conn.execute(
                    "update audit.batches set status = 'loaded', rows_read = %s, rows_loaded = %s,"
                    " rows_quarantined = %s, message = %s, timestamp_forms = %s, finished_at = clock_timestamp()"
                    " where batch_id = %s",
                    (result.rows_read, result.rows_loaded, result.rows_quarantined, message, forms, batch_id),
                )
                if finalize is not None:
                    finalize(self.conn, batch_id)
        except FileRejected as exc:
            return self._finish_outside(
                entity, location, content_sha256, mode, range_from, range_to, "rejected", str(exc), result
            )
        except psycopg.errors.UniqueViolation:
            result.status, result.batch_id = "skipped", None
            result.message = "another loader took the same content at the same time"
            return result
        except Exception as exc:
            try:
                self._finish_outside(
                    entity,
                    location,
                    content_sha256,
                    mode,
                    range_from,
                    range_to,
                    "failed",
                    f"{type(exc).__name__}: {exc}",
                    result,
                )
            except psycopg.Error:  # e.g. the server went away: the batch rolled back, nothing to record
                log.exception("could not record the failed batch %s", location)
            if isinstance(exc, RAISED):
                raise
            log.error("batch %s failed: %s: %s", location, type(exc).__name__, exc, exc_info=exc)
        return result

    def _open_batch(self, entity: Entity, mode, location, content_sha256, range_from, range_to, dialect) -> int:
        return self.conn.execute(
            "insert into audit.batches (source, entity, mode, location, content_sha256, range_from, range_to, status,"
            " run_id, province_code, dialect) values (%s, %s, %s, %s, %s, %s, %s, 'loading', %s, %s, %s)"
            " returning batch_id",
            (
                entity.source,
                entity.name,
                mode,
                location,
                content_sha256,
                range_from,
                range_to,
                self.run_id,
                self.province_code,
                dialect,
            ),
        ).fetchone()[0]

    def _finish_child(self, entity: Entity, child_id: int, parent_id: int, spool) -> None:
        """The derived records, copied into their own table as the child batch; no child batch when there are none."""
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in [*entity.columns, *META_COLUMNS])
        statement = sql.SQL("copy {} ({}) from stdin").format(sql.Identifier("raw", entity.name), columns)
        count = 0
        with self.conn.cursor().copy(statement) as copy:
            for chunk in iter(lambda: spool.read(1 << 20), ""):
                count += chunk.count("\n")
                copy.write(chunk)
        if count == 0:
            self.conn.execute("delete from audit.batches where batch_id = %s", (child_id,))
            return
        self.conn.execute(
            "update audit.batches set status = 'loaded', rows_read = %s, rows_loaded = %s, parent_batch_id = %s,"
            " message = 'records carried by the rows of batch ' || %s::text, finished_at = clock_timestamp()"
            " where batch_id = %s",
            (count, count, parent_id, parent_id, child_id),
        )

    def reject(
        self,
        source: str,
        entity_name: str,
        location: str,
        content_sha256: str | None,
        message: str,
        mode: str = "file",
    ) -> BatchResult:
        """Reject a whole file (or an API answer) without loading it (e.g. a name that matches no entity)."""
        pseudo = Entity(entity_name, source, "", ())
        result = BatchResult(source, entity_name, location, "rejected")
        if content_sha256 and (previous := self.seen(pseudo, content_sha256)):
            result.status, result.batch_id = "skipped", previous[1]
            result.message = f"same content already {previous[0]} as batch {previous[1]}"
            return result
        return self._finish_outside(pseudo, location, content_sha256, mode, None, None, "rejected", message, result)

    def fail(
        self, source: str, entity_name: str, location: str, error: BaseException, mode: str = "file"
    ) -> BatchResult:
        """Record a file or pull that failed before its rows could be read (the next night tries it again)."""
        result = BatchResult(source, entity_name, location, "failed")
        message = f"{type(error).__name__}: {error}"
        return self._finish_outside(
            Entity(entity_name, source, "", ()), location, None, mode, None, None, "failed", message, result
        )

    def _copy_rows(
        self,
        entity: Entity,
        location: str,
        batch_id: int,
        rows: Iterable[SourceRow],
        result: BatchResult,
        quarantine,
        children: tuple[Entity, int, object] | None = None,
    ) -> None:
        format_line = line_formatter(entity)
        if children is not None:
            format_child, child_prefix, child_spool = line_formatter(children[0]), f"\t{children[1]}\t", children[2]
            child_prefix += f"{escape(location)}\t"
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in [*entity.columns, *META_COLUMNS])
        statement = sql.SQL("copy {} ({}) from stdin").format(sql.Identifier("raw", entity.name), columns)
        prefix = f"\t{batch_id}\t{escape(location)}\t"
        buffer: list[str] = []
        append = buffer.append
        read = bad = 0
        failure: Exception | None = None
        with self.conn.cursor().copy(statement) as copy:
            try:
                for row in rows:
                    read += 1
                    if row.error is None:
                        try:
                            line = format_line(row.record, f"{prefix}{row.line}\n")
                            if row.derived:
                                if children is None:
                                    raise RecordError(f"{entity.name} rows carry no other records")
                                lines = [_derived(format_child, d, f"{child_prefix}{row.line}\n") for d in row.derived]
                                child_spool.write("".join(lines))
                            append(line)
                        except RecordError as exc:
                            error, raw = str(exc), row.raw or _as_text(row.record)
                        else:
                            if len(buffer) >= FLUSH_LINES:
                                copy.write("".join(buffer))
                                buffer.clear()
                            continue
                    else:
                        error, raw = row.error, row.raw
                    bad += 1
                    values = [str(batch_id), entity.source, entity.name, location, str(row.line), row.cell, error, raw]
                    quarantine.write(copy_line(values))
                if buffer:
                    copy.write("".join(buffer))
            except Exception as exc:  # re-raised once the COPY has ended: psycopg 3.3 loses the connection when it
                failure = exc  # ends a COPY with an error text of 10,000 characters or more (a rejection can quote it)
        if failure is not None:
            raise failure  # the batch's transaction then rolls back whatever the COPY took
        result.rows_read, result.rows_loaded, result.rows_quarantined = read, read - bad, bad

    def _copy_quarantine(self, spool) -> None:
        statement = sql.SQL("copy raw.quarantine ({}) from stdin").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in QUARANTINE_COLUMNS)
        )
        with self.conn.cursor().copy(statement) as copy:
            for chunk in iter(lambda: spool.read(1 << 20), ""):
                copy.write(chunk)

    def _finish_outside(
        self,
        entity: Entity,
        location: str,
        content_sha256: str | None,
        mode: str,
        range_from,
        range_to,
        status: str,
        message: str,
        result: BatchResult,
    ) -> BatchResult:
        """Record a rejected or failed batch after its transaction rolled back (nothing of it is in raw)."""
        message = storable(message)[:4000]  # a rejection may quote the bad input, at any length
        with self.conn.transaction():
            batch_id = self.conn.execute(
                "insert into audit.batches (source, entity, mode, location, content_sha256, range_from, range_to,"
                " status, message, run_id, province_code, finished_at) values (%s, %s, %s, %s, %s, %s, %s, %s, %s,"
                " %s, %s, clock_timestamp()) returning batch_id",
                (
                    entity.source,
                    entity.name,
                    mode,
                    location,
                    content_sha256 if status == "rejected" else None,
                    range_from,
                    range_to,
                    status,
                    message,
                    self.run_id,
                    self.province_code,
                ),
            ).fetchone()[0]
            if status == "rejected":
                self.conn.execute(
                    "insert into raw.quarantine (batch_id, source, entity, location, reason)"
                    " values (%s, %s, %s, %s, %s)",
                    (batch_id, entity.source, entity.name, location, message),
                )
        log.warning("%s %s: %s", status, location, message)
        result.status, result.batch_id, result.message = status, batch_id, message
        result.rows_loaded = result.rows_quarantined = 0
        return result
