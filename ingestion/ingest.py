"""Ingest one source from its landing folder: every new file becomes one batch in `raw`.

Catalogue files go first (reports are checked against the agency and indicator catalogues), then the
rest in path order. A file whose name matches no entity of the source is rejected, not silently ignored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from warehouse.config import motcua_dialect

from . import dvcqg
from .contracts import (
    BAOCAO_INDICATORS,
    BAOCAO_VALUES,
    DVCQG_766_SCORES,
    ENTITIES,
    MOTCUA_AGENCIES,
    MOTCUA_CASES,
    MOTCUA_EVENTS,
    Entity,
    entities_of,
)
from .limits import limits
from .loader import RAISED, BatchResult, Loader, sha256_of
from .official_766 import read_official_answer
from .raw_schema import ensure_raw_schema
from .readers import WorkbookNotes, read_report_workbook, read_text_file

log = logging.getLogger(__name__)
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload")  # files still being written by the sender


@dataclass
class SourceSummary:
    source: str
    batches: list[BatchResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for b in self.batches if b.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(b.rows_loaded for b in self.batches)

    @property
    def rows_quarantined(self) -> int:
        return sum(b.rows_quarantined for b in self.batches)

    @property
    def new_batch_ids(self) -> list[int]:
        return [b.batch_id for b in self.batches if b.status == "loaded" and b.batch_id is not None]

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "batches_loaded": self.count("loaded"),
            "batches_skipped": self.count("skipped"),
            "batches_rejected": self.count("rejected"),
            "batches_failed": self.count("failed"),
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "new_batch_ids": self.new_batch_ids,
            "rejected": [
                {"location": b.location, "message": b.message} for b in self.batches if b.status == "rejected"
            ],
            "failed": [{"location": b.location, "message": b.message} for b in self.batches if b.status == "failed"],
        }

    def describe(self) -> str:
        d = self.as_dict()
        return (
            f"{self.source}: {d['batches_loaded']} new batches, {d['batches_skipped']} already loaded, "
            f"{d['batches_rejected']} rejected, {d['batches_failed']} failed; {d['rows_loaded']} rows loaded, "
            f"{d['rows_quarantined']} quarantined"
        )


PORTAL_FILE_NAMES = {"dongbohosomc": MOTCUA_CASES, "capnhattiendohosomc": MOTCUA_EVENTS}  # the portal's services


def entity_for(source: str, path: Path) -> Entity | None:
    name = path.name.lower()
    if source == "baocao" and path.suffix.lower() in (".xlsx", ".xls", ".xlsm"):
        return BAOCAO_VALUES
    if source == "dvcqg_766" and path.suffix.lower() == ".json":
        return DVCQG_766_SCORES
    if source == "motcua" and path.suffix.lower() in (".jsonl", ".ndjson", ".json"):
        for prefix, entity in PORTAL_FILE_NAMES.items():
            if name.startswith(prefix):
                return entity
    for entity in entities_of(source):
        if (
            entity.file_prefix
            and name.startswith(entity.file_prefix)
            and path.suffix.lower()
            in (
                ".jsonl",
                ".ndjson",
                ".json",
                ".csv",
            )
        ):
            return entity
    return None


def _ordered(source: str, folder: Path) -> list[Path]:
    files = [
        p
        for p in folder.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() not in IGNORED_SUFFIXES
    ]
    rank = {e.name: i for i, e in enumerate(ENTITIES)}

    def key(path: Path):
        entity = entity_for(source, path)
        return (rank.get(entity.name, len(rank)) if entity else -1, str(path))

    return sorted(files, key=key)


def known_codes(conn: psycopg.Connection) -> tuple[set[str], dict[str, str]]:
    agencies = {r[0] for r in conn.execute("select distinct madonvi from raw.motcua_agencies")}
    indicators = dict(
        conn.execute(
            "select distinct on (machitieu) machitieu, loaibaocao from raw.baocao_indicators"
            " order by machitieu, _batch_id desc"
        ).fetchall()
    )
    return agencies, indicators


def ingest_folder(conn: psycopg.Connection, source: str, landing_dir: Path, run_id: str | None = None) -> SourceSummary:
    """Load every new file of `source` under `<landing_dir>/<source>/`."""
    ensure_raw_schema(conn)
    loader = Loader(conn, run_id)
    summary = SourceSummary(source)
    folder = Path(landing_dir) / source
    if not folder.is_dir():
        log.warning("no landing folder for %s at %s: nothing to load", source, folder)
        return summary
    known: list = [None, None]  # the agency and indicator codes, the agency identifiers: read when first needed
    for path in _ordered(source, folder):
        try:
            result = _ingest_file(conn, loader, source, path, known)
        except RAISED:
            raise
        except Exception as exc:  # anything unforeseen costs this file only: recorded, and the next files load
            log.error("file %s failed: %s: %s", path, type(exc).__name__, exc, exc_info=exc)
            entity = entity_for(source, path)
            result = loader.fail(source, entity.name if entity else f"{source}_unrecognised", str(path), exc)
        summary.batches.append(result)
        if result.status != "skipped":
            log.info(
                "%s %s: %s read, %s loaded, %s quarantined%s",
                result.status,
                result.location,
                result.rows_read,
                result.rows_loaded,
                result.rows_quarantined,
                f" ({result.message})" if result.message else "",
            )
    log.info(summary.describe())
    return summary


def _ingest_file(conn: psycopg.Connection, loader: Loader, source: str, path: Path, known: list) -> BatchResult:
    """One file as one batch: rejected by its name, its size or its shape, or loaded."""
    entity = entity_for(source, path)
    location = str(path)
    digest = sha256_of(path)
    if entity is None:
        message = f"unrecognised file name {path.name!r} for source {source}"
        return loader.reject(source, f"{source}_unrecognised", location, digest, message)
    notes: list[str] = []
    if entity is BAOCAO_VALUES:
        if known[0] is None:  # after dm_chitieu, which sorts first
            known[0] = known_codes(conn)
        size, bound = path.stat().st_size, limits().workbook_bytes
        if size > bound:  # never read into memory
            message = f"workbook of {size:,} bytes, more than WORKBOOK_MAX_BYTES ({bound:,})"
            return loader.reject(source, entity.name, location, digest, message)
        # no NgayNop: a file's modification time is whatever the copy kept; the ledger's delivery is the filing time
        rows = read_report_workbook(path.read_bytes(), None, known[0][0], known[0][1], WorkbookNotes(notes))
    elif entity is DVCQG_766_SCORES:
        rows = read_official_answer(path, limits().envelope_bytes)
    elif entity in (MOTCUA_CASES, MOTCUA_EVENTS):
        return _ingest_case_file(conn, loader, entity, path, digest, known)
    else:
        rows = read_text_file(path, entity)
    result = loader.load(entity, location, rows, content_sha256=digest, notes=notes)
    if entity is BAOCAO_INDICATORS and result.status == "loaded":
        known[0] = None  # the indicator catalogue changed
    if entity is MOTCUA_AGENCIES and result.status == "loaded":
        known[1] = None
    return result


def _ingest_case_file(conn, loader: Loader, entity: Entity, path: Path, digest: str, known: list) -> BatchResult:
    """A case or event file in the dialect MOTCUA_DIALECT names, after checking the file is not in the other."""
    configured, location = motcua_dialect(), str(path)
    found, why = dvcqg.file_dialect(path, entity)
    if found is not None and found != configured:
        message = (
            f"the file is in the {found} shape ({why}) but MOTCUA_DIALECT is {configured}:"
            f" set MOTCUA_DIALECT={found} to read this source in that shape (docs/sources.md)"
        )
        return loader.reject("motcua", entity.name, location, digest, message)
    if configured == "standard":
        return loader.load(entity, location, read_text_file(path, entity), content_sha256=digest)
    if path.suffix.lower() == ".csv":
        message = "the dvcqg dialect is JSON (a DongBoHoSoMC envelope or one record per line), not CSV"
        return loader.reject("motcua", entity.name, location, digest, message)
    if known[1] is None:
        known[1] = dvcqg.agency_identifiers(conn)
    translator = dvcqg.Translator(known[1])
    rows = dvcqg.translated(dvcqg.read_portal_file(path, entity, limits().envelope_bytes), entity, translator)
    return loader.load(
        entity,
        location,
        rows,
        content_sha256=digest,
        notes=translator.notes,
        dialect="dvcqg",
        timestamp_forms=translator.forms,
        companion=MOTCUA_EVENTS if entity is MOTCUA_CASES else None,
    )
