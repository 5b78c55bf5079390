"""Memory of the loader on the largest inputs the limits allow and on hostile ones, each against a small
baseline measured in the same run (ingestion/limits.py holds the bounds).

  API pull      1,000,000 case records pulled over HTTP page by page into COPY, against the same pull of
                100,000: memory flat in the size of the pull means a ratio near 1
  workbooks     the largest report workbook the limits allow (WORKBOOK_MAX_ROWS x WORKBOOK_MAX_COLUMNS cells of
                distinct text, just under WORKBOOK_MAX_UNPACKED_BYTES), a zip bomb, a workbook that hides more
                rows than its <dimension> says, and the 24 MB / 10-million-cell workbook of issue 18, each
                against a report of 300 indicators

Each measurement runs in its own process (its peak resident memory is its own) on its own fresh database.
Usage:  .venv/bin/python bench/bounded_input.py [--records 1000000] [--baseline-records 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import random
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from common import case_record, child, fresh_database, report, throwaway_server

PAGE_SIZE = 5000


# -- a source API that makes its pages up as they are asked for (nothing held in memory) --------------
def serve_cases(records: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            page, size = int(query.get("page", 1)), int(query.get("page_size", PAGE_SIZE))
            if url.path.strip("/") == "motcua/hoso":
                first = (page - 1) * size
                items = [case_record(i, random.Random(i)) for i in range(first, min(first + size, records))]
                pages = math.ceil(records / size)
            else:
                items, pages = [], 1
            body = json.dumps({"items": items, "page": page, "pages": pages}, ensure_ascii=False).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure_pull(url: str, api: str) -> int:
    import psycopg

    from ingestion.api import ApiClient, pull_source
    from ingestion.raw_schema import ensure_raw_schema

    with psycopg.connect(url, autocommit=True) as conn:
        ensure_raw_schema(conn)
        started = time.perf_counter()
        summary = pull_source(conn, "motcua", ApiClient(api, page_size=PAGE_SIZE))
        elapsed = time.perf_counter() - started
    assert summary.rows_quarantined == 0, summary.as_dict()
    return report(rows=summary.rows_loaded, seconds=elapsed)


# -- workbooks -------------------------------------------------------------------------------------------
def _typical(path: Path) -> None:
    from ingestion.simulator.reports import write_workbook

    rows = [(f"PCTN{n:02d}", f"Chỉ tiêu số {n}", "Người", n) for n in range(300)]
    write_workbook(path, "SO-TP", "PCTN", "2025-6T", dt.date(2025, 6, 16), rows)


def _header(sheet) -> None:
    from ingestion.simulator.reports import HEADER_LABELS, TABLE_COLUMNS

    sheet.append(["BÁO CÁO PCTN"])
    for label, value in zip(HEADER_LABELS, ["SO-TP", "PCTN", "2025-6T", dt.date(2025, 6, 16)], strict=True):
        sheet.append([label, value])
    sheet.append([])
    sheet.append([])
    sheet.append(list(TABLE_COLUMNS))


def _largest_allowed(path: Path, rows: int, columns: int, unpacked_bound: int) -> None:
    """rows x columns cells of distinct Vietnamese text, as long as the unpacked bound allows."""
    from openpyxl import Workbook

    length = 60
    while True:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("BaoCao")
        _header(sheet)
        rng = random.Random(1)
        words = ["thủ tục", "hồ sơ", "phường", "Khánh Hòa", "trực tuyến", "đúng hạn", "giải quyết"]
        for r in range(rows - 8):
            text = " ".join(rng.choice(words) for _ in range(length // 8))
            sheet.append([f"PCTN{r % 7 + 1:02d}", *[f"{r}.{c} {text}"[:length] for c in range(columns - 1)]])
        workbook.save(path)
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
        if unpacked <= unpacked_bound:
            return
        length = int(length * unpacked_bound / unpacked * 0.95)


def _zip_bomb(path: Path, unpacked: int) -> None:
    _typical(path)
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            if name == "xl/worksheets/sheet1.xml":
                with target.open(name, "w") as handle:  # streamed: the bench itself stays small
                    head, tail = sheet.split(b"<sheetData>", 1)
                    handle.write(head + b"<sheetData>")
                    chunk = b" " * (1 << 20)
                    for _ in range(unpacked >> 20):
                        handle.write(chunk)
                    handle.write(tail)
            else:
                target.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def _hidden_rows(path: Path, rows: int) -> None:
    """A sheet that declares 10 rows (or none) and holds `rows`: a lie only reading the rows can catch."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("BaoCao")
    _header(sheet)
    for r in range(rows):
        sheet.append(["PCTN01", "x", "Người", r])
    workbook.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    name = next(n for n in parts if n.startswith("xl/worksheets/"))
    xml = parts[name]
    if b"<dimension " in xml:  # openpyxl's write-only mode writes none: then the sheet declares nothing at all
        start = xml.index(b"<dimension ")
        parts[name] = xml[:start] + b'<dimension ref="A1:E10"/>' + xml[xml.index(b"/>", start) + 2 :]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part, data in parts.items():
            target.writestr(part, data)


def _ten_million_cells(path: Path) -> None:
    """The workbook of the issue: 2,000,000 rows x 5 numbers, about 24 MB zipped."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("BaoCao")
    _header(sheet)
    for r in range(2_000_000):
        sheet.append([r, r + 1, r + 2, r + 3, r + 4])
    workbook.save(path)


def measure_workbook(url: str, path: str) -> int:
    import psycopg

    from ingestion.ingest import ingest_folder
    from ingestion.raw_schema import ensure_raw_schema

    landing = Path(path).parent.parent  # <landing>/baocao/<file>
    (landing / "motcua").mkdir(exist_ok=True)
    (landing / "motcua" / "dm_donvi.csv").write_text(
        "MaDonVi,TenDonVi,LoaiDonVi,MaDonViCha,HieuLucTu,HieuLucDen,MaDonViKeThua\nSO-TP,Sở Tư pháp,SO,,2020-01-01,,\n"
    )
    with psycopg.connect(url, autocommit=True) as conn:
        ensure_raw_schema(conn)
        ingest_folder(conn, "motcua", landing)  # the agency catalogue the header is checked against
        started = time.perf_counter()
        summary = ingest_folder(conn, "baocao", landing)
        elapsed = time.perf_counter() - started
    (batch,) = summary.batches
    return report(status=batch.status, rows=batch.rows_read, seconds=elapsed, message=batch.message or "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--baseline-records", type=int, default=100_000)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        sys.exit({"pull": measure_pull, "workbook": measure_workbook}[kind](*rest))

    from ingestion.limits import limits

    bounds = limits()
    with throwaway_server("bench-bounded-") as (work, server_url):
        pulls = {}
        for records in (args.baseline_records, args.records):
            api = serve_cases(records)
            url = fresh_database(server_url, f"bench_pull_{records}")
            pulls[records] = child(__file__, "pull", url, f"http://127.0.0.1:{api.server_address[1]}")
            api.shutdown()
        print(f"\n{'API pull':<12} {'records':>10} {'seconds':>8} {'records/s':>10} {'peak MiB':>9}")
        for r in pulls.values():
            rate = r["rows"] / r["seconds"]
            print(f"{'':<12} {r['rows']:>10,} {r['seconds']:>8.1f} {rate:>10,.0f} {r['peak_mib']:>9.0f}")
        small, large = pulls[args.baseline_records], pulls[args.records]
        print(
            f"peak memory, {args.records:,} / {args.baseline_records:,} records = "
            f"{large['peak_mib'] / small['peak_mib']:.2f}   (aim: at most 1.2: flat in the size of the pull)"
        )

        makers = {
            "typical (300 indicators)": _typical,
            "largest allowed": lambda p: _largest_allowed(
                p, bounds.workbook_rows, bounds.workbook_columns, bounds.workbook_unpacked_bytes
            ),
            "zip bomb (1 GiB unpacked)": lambda p: _zip_bomb(p, 1 << 30),
            "hides 80,000 rows": lambda p: _hidden_rows(p, 80_000),
            "10 million cells": _ten_million_cells,
        }
        books = {}
        for n, (label, make) in enumerate(makers.items()):
            path = work / f"book{n}" / "baocao" / "report.xlsx"
            path.parent.mkdir(parents=True)
            make(path)
            result = child(__file__, "workbook", fresh_database(server_url, f"bench_book{n}"), str(path))
            books[label] = {**result, "mib": path.stat().st_size / 2**20}
        print(f"\n{'workbook':<26} {'MiB':>6} {'outcome':>9} {'rows':>6} {'seconds':>8} {'peak MiB':>9}  reason")
        for label, r in books.items():
            print(
                f"{label:<26} {r['mib']:>6.1f} {r['status']:>9} {r['rows']:>6,} {r['seconds']:>8.2f} "
                f"{r['peak_mib']:>9.0f}  {r['message'][:70]}"
            )
        typical = books["typical (300 indicators)"]["peak_mib"]
        worst = max(r["peak_mib"] for r in books.values())
        print(f"worst peak / typical report's peak = {worst / typical:.2f}   (the bound the README states: worst peak)")


if __name__ == "__main__":
    main()
