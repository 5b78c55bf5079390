"""`python -m ingestion.simulator generate|serve|bad-inputs` — the simulated province, for demos and tests.

generate   --landing DIR [--cases-per-year N] [--start YYYY-MM-DD] [--as-of YYYY-MM-DDTHH:MM] [--dialect dvcqg]
serve      --landing DIR [--now YYYY-MM-DDTHH:MM] [--port 8765]   the sources' HTTP API over that folder
bad-inputs --landing DIR [--agency SO-TP]                          add one bad delivery of every kind
official-766 --landing DIR --periods cal-2025-06,cal-2025-07 [--plant 3]
           the portal's published 766 scores for those calendar periods, written from the built warehouse
           (DATABASE_URL) with that many planted differences
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from warehouse.config import DIALECTS

from .api import SourceApi
from .bad_inputs import write_bad_inputs
from .generate import SimulationSpec, generate


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m ingestion.simulator", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--landing", type=Path, required=True)
    gen.add_argument("--cases-per-year", type=int, default=SimulationSpec.cases_per_year)
    gen.add_argument("--start", type=dt.date.fromisoformat, default=SimulationSpec.start)
    gen.add_argument("--as-of", type=dt.datetime.fromisoformat, default=SimulationSpec.as_of)
    gen.add_argument("--seed", type=int, default=SimulationSpec.seed)
    gen.add_argument("--dialect", choices=DIALECTS, default="standard", help="motcua's shape")
    serve = sub.add_parser("serve")
    serve.add_argument("--landing", type=Path, required=True)
    serve.add_argument("--now", type=dt.datetime.fromisoformat, default=SimulationSpec.as_of)
    serve.add_argument("--port", type=int, default=8765)
    bad = sub.add_parser("bad-inputs")
    bad.add_argument("--landing", type=Path, required=True)
    bad.add_argument("--agency", default="SO-TP")
    official = sub.add_parser("official-766")
    official.add_argument("--landing", type=Path, required=True)
    official.add_argument("--periods", required=True, help="calendar periods, e.g. cal-2025-06,cal-2025-07")
    official.add_argument("--plant", type=int, default=3, help="how many differences to plant")
    args = parser.parse_args()

    if args.command == "generate":
        spec = SimulationSpec(
            seed=args.seed, cases_per_year=args.cases_per_year, start=args.start, as_of=args.as_of, dialect=args.dialect
        )
        started = time.monotonic()
        counts = generate(args.landing, spec)
        print(f"{counts} in {time.monotonic() - started:.0f} s -> {args.landing}")
    elif args.command == "serve":
        with SourceApi(args.landing, now=args.now, port=args.port) as api:
            print(f"serving {args.landing} as of {args.now} at {api.url} (Ctrl-C to stop)")
            try:
                api.thread.join()
            except KeyboardInterrupt:
                pass
    elif args.command == "official-766":
        from warehouse.db import connect

        from .official_766 import pick_differences, write_official_scores

        periods = [p.strip() for p in args.periods.split(",") if p.strip()]
        with connect() as conn:
            planted = pick_differences(conn, periods, args.plant)
            files = write_official_scores(conn, args.landing, periods, planted)
        print(f"{len(files)} answers in {args.landing / 'dvcqg_766'}; planted: {planted}")
    else:
        for expected in write_bad_inputs(args.landing, args.agency):
            print(f"{expected.outcome:<9} {expected.path}  ({expected.reason})")


if __name__ == "__main__":
    main()
