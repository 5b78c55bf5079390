"""Nightly cost against history length: one night's increment on a small and on a 10x longer history.

Both histories have the same daily volume and end on the same night; the long one simply starts ten times
earlier (8 months from 15/10/2025 against 80 months from 15/10/2019, both to 10/6/2026). For each:
  1. generate and load the history as of 10/6/2026 06:00, and build the warehouse (full build, timed);
  2. let the database settle as it would by the next night (VACUUM ANALYZE, not timed);
  3. take the next night's delivery (every case version, event and feedback that changed after 10/6 06:00
     up to 11/6 06:00), load it and run the nightly dbt build incrementally (timed: load + build).
The ratio long/short of the nightly cost is printed; the aim is at most 1.2 (the night should cost in
proportion to the day's changes, not to the history).

Usage: .venv/bin/python bench/incremental_nightly.py [--cases-per-year 60000] [--show-slowest N] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from common import keep_or_remove, settle, work_folder

from ingestion.ingest import ingest_folder
from ingestion.simulator.generate import SimulationSpec, generate
from warehouse.db import bootstrap
from warehouse.dbt import nightly_build
from warehouse.embedded import EmbeddedPostgres

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
NIGHT = dt.datetime(2026, 6, 10, 6, 0)
NEXT_NIGHT = NIGHT + dt.timedelta(days=1)
HISTORIES = {"short (8 months)": dt.date(2025, 10, 15), "long (80 months)": dt.date(2019, 10, 15)}


def _local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.removesuffix("+07:00"))


def _jsonl_after(sources: list[Path], target: Path, after: dt.datetime) -> int:
    """Copy the JSON Lines records whose NgayCapNhat is after `after`; how many."""
    copied = 0
    with open(target, "w", encoding="utf-8") as out:
        for path in sources:
            for line in open(path, encoding="utf-8"):
                if _local(json.loads(line)["NgayCapNhat"]) > after:
                    out.write(line)
                    copied += 1
    return copied


def write_delta(full: Path, delta: Path, after: dt.datetime) -> dict:
    """The next night's delivery: what changed after `after`, taken from the later generated landing."""
    (delta / "motcua").mkdir(parents=True)
    (delta / "pakn").mkdir(parents=True)
    counts = {
        "case_versions": _jsonl_after(
            sorted((full / "motcua").glob("hoso_*.jsonl")), delta / "motcua" / "hoso_delta.jsonl", after
        ),
        "events": 0,
        "feedback_versions": _jsonl_after(
            sorted((full / "pakn").glob("pakn_*.jsonl")), delta / "pakn" / "pakn_delta.jsonl", after
        ),
    }
    with open(delta / "motcua" / "sukien_delta.csv", "w", encoding="utf-8", newline="") as out:
        writer = None
        for path in sorted((full / "motcua").glob("sukien_*.csv")):
            for row in csv.DictReader(open(path, encoding="utf-8")):
                if writer is None:
                    writer = csv.DictWriter(out, fieldnames=list(row))
                    writer.writeheader()
                if _local(row["ThoiDiem"]) > after:
                    writer.writerow(row)
                    counts["events"] += 1
    return counts


def load(url: str, landing: Path, moment: dt.datetime) -> None:
    """Load a delivery as the night after `moment` would: its delivery moment (an hour later) is the data date."""
    night = f"bench-{moment:%Y-%m-%d}"
    with psycopg.connect(url, autocommit=True) as conn:
        bootstrap(conn)
        conn.execute(
            "insert into audit.nightly_runs (run_id, delivered_at) values (%s, %s)",
            (night, moment.replace(tzinfo=LOCAL) + dt.timedelta(hours=1)),
        )
        for source in ("motcua", "pakn", "baocao"):
            ingest_folder(conn, source, landing, night)


def build(url: str, show_slowest: int = 0) -> float:
    started = time.perf_counter()
    outcome = nightly_build(url)  # what the nightly DAG runs
    if not outcome.success:
        raise SystemExit("dbt build failed:\n" + "\n".join(outcome.failures))
    elapsed = time.perf_counter() - started
    if show_slowest:
        slowest = sorted(outcome.results, key=lambda r: r.execution_time, reverse=True)[:show_slowest]
        print("  slowest nodes: " + ", ".join(f"{r.node.name} {r.execution_time:.1f}s" for r in slowest))
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases-per-year", type=int, default=60_000)
    parser.add_argument("--show-slowest", type=int, default=0, help="print the N slowest dbt nodes of each night")
    parser.add_argument("--keep", action="store_true", help="leave the server and databases up, to investigate")
    args = parser.parse_args()
    work = work_folder("bench-incremental-")
    os.environ["OUTPUT_DIR"] = str(work / "output")
    os.environ.setdefault("PII_HASH_KEY", "bench")
    server = EmbeddedPostgres(work / "pgdata")
    server_url = server.ensure_running().url("postgres")
    results = {}
    try:
        for label, start in HISTORIES.items():
            name = "bench_" + label.split()[0]
            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(f"create database {name}")
            url = server_url.rsplit("/", 1)[0] + f"/{name}"
            base = work / name
            started = time.perf_counter()
            history = generate(
                base / "history", SimulationSpec(cases_per_year=args.cases_per_year, start=start, as_of=NIGHT)
            )
            generate(base / "later", SimulationSpec(cases_per_year=args.cases_per_year, start=start, as_of=NEXT_NIGHT))
            delta = write_delta(base / "later", base / "delta", NIGHT)
            generated = time.perf_counter() - started
            started = time.perf_counter()
            load(url, base / "history", NIGHT)
            loaded = time.perf_counter() - started
            full_build = build(url)
            settle(url)
            started = time.perf_counter()
            load(url, base / "delta", NEXT_NIGHT)
            night_load = time.perf_counter() - started
            night_build = build(url, show_slowest=args.show_slowest)
            results[label] = {
                "cases": history["cases"],
                "delta": delta,
                "generated": generated,
                "loaded": loaded,
                "full_build": full_build,
                "night_load": night_load,
                "night_build": night_build,
            }
            print(
                f"{label}: {history['cases']:,} cases; first load {loaded:.0f} s, full build {full_build:.0f} s; "
                f"night: {sum(delta.values()):,} changed rows, load {night_load:.1f} s + build {night_build:.1f} s",
                flush=True,
            )
    finally:
        keep_or_remove(server, work, args.keep, f"{server_url.rsplit('/', 1)[0]}/bench_short|bench_long")
    short, long = results.values()
    night = {k: v["night_load"] + v["night_build"] for k, v in results.items()}
    print(
        f"\n{'history':<18} {'cases':>9} {'full build s':>13} {'night load s':>13} {'night build s':>14} {'night s':>8}"
    )
    for label, r in results.items():
        print(
            f"{label:<18} {r['cases']:>9,} {r['full_build']:>13.1f} {r['night_load']:>13.1f} "
            f"{r['night_build']:>14.1f} {night[label]:>8.1f}"
        )
    ratio = night["long (80 months)"] / night["short (8 months)"]
    print(f"\nnight on 10x history / night on 1x history = {ratio:.2f}   (aim: at most 1.2)")
    print(f"full build on 10x / full build on 1x = {long['full_build'] / short['full_build']:.2f}   (for contrast)")


if __name__ == "__main__":
    main()
