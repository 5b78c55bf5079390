"""A province's year at full scale: from scratch, then one night's increment, then a night with nothing new.

1. Generate a province year (default 1,500,000 cases a year: a merged province's volume, with room) as of
   10/6/2026 06:00, and the delivery of the next night (what changed up to 11/6 06:00).
2. From scratch: prepare, ingest every source, the raw checks (GX), the dbt build, the mart checks, each step the
   nightly DAG's own function in its own process, timed, with its peak memory.
3. The database settles as it would in the day between (VACUUM ANALYZE, not counted); then the next night's
   delivery through the same steps, and a night with nothing new.
Printed: each step's seconds and peak MiB, and the ratios night / full run. Aims (issue 16): the year at most
3 min on 2 cores, a night at most 30 s.

Usage: .venv/bin/python bench/province_year.py [--cases-per-year 1500000] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import time
from pathlib import Path

from common import child, keep_or_remove, report, settle, work_folder
from incremental_nightly import NEXT_NIGHT, NIGHT, write_delta

STEPS = ("prepare", "ingest", "validate_raw", "build_marts", "validate_marts")


def run_step(step: str, run_id: str, delivered_at: str) -> int:
    """One step of the night in this process (`--child`): its seconds and, through `report`, its peak memory."""
    from ingestion.contracts import SOURCE_NAMES
    from warehouse import nightly

    started = time.perf_counter()
    if step == "prepare":
        nightly.prepare(run_id, dt.datetime.fromisoformat(delivered_at))
    elif step == "ingest":
        for source in SOURCE_NAMES:
            nightly.ingest(source, run_id)
    elif step == "validate_raw":
        nightly.validate_raw([], run_id)
    elif step == "build_marts":
        nightly.build_marts(run_id)
    else:
        nightly.validate_marts(run_id)
    return report(step=step, seconds=time.perf_counter() - started)


def night(script: str, landing: Path, run_id: str, moment: dt.datetime) -> dict[str, dict]:
    os.environ["LANDING_DIR"] = str(landing)
    delivered = (moment + dt.timedelta(hours=1)).isoformat() + "+07:00"
    steps = {step: child(script, step, run_id, delivered) for step in STEPS}
    # each build's dbt timings (a node's seconds, rows), kept beside the data for --keep: dbt overwrites its own
    results = Path(os.environ["OUTPUT_DIR"]) / "dbt" / "target" / "run_results.json"
    if results.exists():
        shutil.copy(results, Path(os.environ["OUTPUT_DIR"]) / f"run_results-{run_id}.json")
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases-per-year", type=int, default=1_500_000)
    parser.add_argument("--keep", action="store_true", help="leave the server and the data, to investigate")
    args = parser.parse_args()
    from ingestion.simulator.generate import SimulationSpec, generate
    from warehouse.embedded import EmbeddedPostgres

    work = work_folder("bench-year-")
    os.environ["OUTPUT_DIR"] = str(work / "output")
    os.environ.setdefault("PII_HASH_KEY", "bench")
    os.environ["NIGHTLY_RETRY_DELAY_SECONDS"] = "1"
    server = EmbeddedPostgres(work / "pgdata")
    os.environ["DATABASE_URL"] = server.ensure_running().url("postgres")
    script = str(Path(__file__).resolve())
    start = dt.date(2025, 6, 10)  # one year of cases up to the night, plus the cases still open before it
    try:
        began = time.perf_counter()
        spec = SimulationSpec(cases_per_year=args.cases_per_year, start=start, as_of=NIGHT)
        history = generate(work / "year", spec)
        generate(work / "later", SimulationSpec(cases_per_year=args.cases_per_year, start=start, as_of=NEXT_NIGHT))
        delta = write_delta(work / "later", work / "delta", NIGHT)
        empty = work / "empty"
        for source in ("motcua", "pakn", "baocao"):
            (empty / source).mkdir(parents=True)
        print(
            f"generated {history['cases']:,} cases, a night of {sum(delta.values()):,} changed rows"
            f" in {time.perf_counter() - began:.0f} s",
            flush=True,
        )
        runs = {"year from scratch": night(script, work / "year", "bench-year", NIGHT)}
        print(f"settled (VACUUM ANALYZE, not counted) in {settle(os.environ['DATABASE_URL']):.0f} s", flush=True)
        runs |= {
            "next night": night(script, work / "delta", "bench-night", NEXT_NIGHT),
            "night with nothing new": night(script, empty, "bench-empty", NEXT_NIGHT + dt.timedelta(days=1)),
        }
    finally:
        keep_or_remove(server, work, args.keep, os.environ["DATABASE_URL"])
    print(f"\n{'step':<16}" + "".join(f"{label:>26}" for label in runs))
    for step in STEPS:
        cells = "".join(f"{r[step]['seconds']:>15.1f} s {r[step]['peak_mib']:>6.0f} MiB" for r in runs.values())
        print(f"{step:<16}{cells}")
    totals = {label: sum(s["seconds"] for s in r.values()) for label, r in runs.items()}
    print(f"{'total':<16}" + "".join(f"{t:>24.1f} s" for t in totals.values()))
    year = totals["year from scratch"]
    for label in ("next night", "night with nothing new"):
        print(f"{label} / year from scratch = {totals[label] / year:.3f}")
    print(f"aims: year <= 180 s (measured {year:.0f} s), night <= 30 s (measured {totals['next night']:.0f} s)")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        raise SystemExit(run_step(*sys.argv[2:]))
    main()
