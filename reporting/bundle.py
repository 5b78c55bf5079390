"""Build one recipient's bundle for one period: workbook, PDF, a CSV per table, and a manifest.

Layout under OUTPUT_DIR/extracts/:
    <period>/<recipient>  ->  .bundles/<period>-<recipient>-<hash>/   (a symbolic link)
        <recipient>_<period>.xlsx, .pdf, .docx (the report draft to edit and sign), tables/NN_<table>.csv,
        manifest.json
The bundle is written in full under a new name and then published by atomically replacing the link, so a
reader sees the old bundle or the new one, never half of one; earlier bundles of the period are removed.
The files depend only on the marts, so re-running a period with the same data gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from . import charts, tables
from .document import make_cover, write_docx
from .pdf import summary_pdf
from .workbook import Table, write_csv, write_workbook


@dataclass(frozen=True)
class Recipient:
    slug: str
    name: str
    title: str
    tables: Callable[[psycopg.Connection, tables.Period], list[Table]]
    charts: Callable[[psycopg.Connection, tables.Period], list[bytes]]
    email_variable: str  # environment variable with the recipients' addresses (comma separated)
    report_types: tuple[str, ...]  # the agencies' periodic reports it follows


RECIPIENTS = {
    "so-noi-vu": Recipient(
        "so-noi-vu",
        "Sở Nội vụ tỉnh Khánh Hòa",
        "Số liệu phục vụ báo cáo cải cách hành chính",
        tables.so_noi_vu_tables,
        charts.so_noi_vu_charts,
        "EXTRACT_EMAIL_SO_NOI_VU",
        ("PCTN", "TCD_KNTC", "CCHC"),
    ),
    "thanh-tra-tinh": Recipient(
        "thanh-tra-tinh",
        "Thanh tra tỉnh Khánh Hòa",
        "Báo cáo công tác tiếp công dân, giải quyết khiếu nại, tố cáo và phòng, chống tham nhũng",
        tables.thanh_tra_tables,
        charts.thanh_tra_charts,
        "EXTRACT_EMAIL_THANH_TRA_TINH",
        ("PCTN", "TCD_KNTC"),
    ),
}


@dataclass(frozen=True)
class Bundle:
    recipient: str
    period_id: str
    path: Path  # the published link
    files: list[Path]
    manifest: dict


def build_bundle(conn: psycopg.Connection, period_id: str, recipient_slug: str, extracts_dir: Path) -> Bundle:
    recipient = RECIPIENTS[recipient_slug]
    period = tables.load_period(conn, period_id)
    table_list = recipient.tables(conn, period)
    stem = f"{recipient.slug}_{period.period_id}"
    cover = make_cover(conn, period, recipient.slug, recipient.name, table_list)
    files: dict[str, bytes] = {
        f"{stem}.xlsx": write_workbook(table_list, period.as_of, cover),
        f"{stem}.docx": write_docx(cover, period.as_of),
    }
    for number, table in enumerate(table_list, start=1):
        files[f"tables/{number:02d}_{table.slug}.csv"] = write_csv(table)
    by_slug = {table.slug: table for table in table_list}
    summary = [  # the PDF: the province's figures, the agencies below target, the reports not filed on time, the gaps
        by_slug["tong_hop_tinh"],
        by_slug["don_vi_chua_dat_muc_tieu"],
        tables.late_or_missing_reports(conn, period, recipient.report_types),
        by_slug["chat_luong_du_lieu"],
    ]
    files[f"{stem}.pdf"] = summary_pdf(cover, summary, recipient.charts(conn, period))
    manifest = {
        "recipient": recipient.name,
        "period": period.period_id,
        "period_label": period.label,
        "period_start": period.start_date.isoformat(),
        "period_end": period.end_date.isoformat(),
        "data_as_of": period.as_of.isoformat(),
        "tables": [
            {"sheet": t.name, "csv": f"tables/{n:02d}_{t.slug}.csv", "rows": len(t.rows)}
            for n, t in enumerate(table_list, start=1)
        ],
        "files": [
            {"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
        ],
    }
    files["manifest.json"] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    path = publish(extracts_dir, period.period_id, recipient.slug, files)
    return Bundle(recipient.slug, period.period_id, path, [path / name for name in sorted(files)], manifest)


def publish(extracts_dir: Path, period_id: str, slug: str, files: dict[str, bytes]) -> Path:
    """Write `files` as a new bundle directory and atomically point <period>/<slug> at it."""
    store = extracts_dir / ".bundles"
    store.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(b"".join(hashlib.sha256(files[k]).digest() for k in sorted(files))).hexdigest()[:16]
    final = store / f"{period_id}-{slug}-{digest}"
    if not final.exists():
        staging = Path(tempfile.mkdtemp(prefix=f".{period_id}-{slug}-", dir=store))
        for name, data in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        staging.chmod(0o755)
        os.replace(staging, final)
    link = extracts_dir / period_id / slug
    link.parent.mkdir(parents=True, exist_ok=True)
    previous = link.resolve() if link.is_symlink() else None
    temporary = link.with_name(f".{slug}.{os.getpid()}.link")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(os.path.relpath(final, link.parent))
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)  # a plain folder from an older layout
    os.replace(temporary, link)  # atomic: readers see the old bundle or the new one
    for old in store.glob(f"{period_id}-{slug}-*"):  # keep the one a reader may still be reading
        if old not in (final, previous):
            shutil.rmtree(old, ignore_errors=True)
    return link
