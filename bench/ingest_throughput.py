"""Loader throughput on case records, against two baselines measured in the same run on the same data.

  ours      the real loader: hash the file, read JSON Lines, check every field against the contract,
            NFC-normalise, COPY into raw.motcua_cases in one transaction with its ledger row
  ceiling   psycopg COPY (write_row) of the same rows already parsed into Python values: no reading,
            no parsing, no checks: what COPY itself costs from Python
  to_sql    pandas.DataFrame.to_sql(method="multi") of the same pre-parsed rows (what many projects do);
            it is slow, so it runs on the first --to-sql-rows rows and is compared by rows per second

Each method runs in its own process (so peak memory is its own) on its own fresh database.
Usage:  .venv/bin/python bench/ingest_throughput.py [--rows 1000000] [--to-sql-rows 100000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
import unicodedata
from pathlib import Path

import orjson
from common import case_record, child, fresh_database, report, throwaway_server

from ingestion.contracts import MOTCUA_CASES


def write_cases(path: Path, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(rows):
            handle.write(json.dumps(case_record(i, rng), ensure_ascii=False) + "\n")


def parsed_rows(path: Path, limit: int | None = None) -> list[tuple]:
    """The file's rows as typed Python values (the baselines start from these; parsing is not timed)."""
    local = dt.timezone(dt.timedelta(hours=7))
    out = []
    with open(path, "rb") as handle:
        for n, line in enumerate(handle, start=1):
            if limit and n > limit:
                break
            record = orjson.loads(line)
            values = []
            for field in MOTCUA_CASES.fields:
                value = record.get(field.name)
                if value is not None and field.kind == "timestamp":
                    value = dt.datetime.fromisoformat(value)
                    value = value if value.tzinfo else value.replace(tzinfo=local)
                elif isinstance(value, str) and field.kind == "text":
                    value = unicodedata.normalize("NFC", value)
                values.append(value)
            out.append((*values, 1, str(path), n))
    return out


# -- the three methods, each run in a child process ---------------------------------------------------
def method_ours(url: str, path: Path) -> int:
    import psycopg

    from ingestion.ingest import ingest_folder

    with psycopg.connect(url, autocommit=True) as conn:
        from ingestion.raw_schema import ensure_raw_schema

        ensure_raw_schema(conn)
        started = time.perf_counter()
        summary = ingest_folder(conn, "motcua", path.parent.parent)
        elapsed = time.perf_counter() - started
    assert summary.rows_quarantined == 0 and summary.count("loaded") == 1, summary.as_dict()
    return report(rows=summary.rows_loaded, seconds=elapsed)


def method_ceiling(url: str, path: Path) -> int:
    import psycopg

    rows = parsed_rows(path)
    columns = ", ".join([*MOTCUA_CASES.columns, "_batch_id", "_source_location", "_source_row"])
    with psycopg.connect(url, autocommit=True) as conn:
        from ingestion.raw_schema import ensure_raw_schema

        ensure_raw_schema(conn)
        started = time.perf_counter()
        with conn.transaction(), conn.cursor().copy(f"copy raw.motcua_cases ({columns}) from stdin") as copy:
            for row in rows:
                copy.write_row(row)
        elapsed = time.perf_counter() - started
    return report(rows=len(rows), seconds=elapsed)


def method_to_sql(url: str, path: Path, limit: int) -> int:
    import pandas as pd
    import sqlalchemy

    from warehouse.db import sqlalchemy_url

    rows = parsed_rows(path, limit)
    columns = [*MOTCUA_CASES.columns, "_batch_id", "_source_location", "_source_row"]
    frame = pd.DataFrame(rows, columns=columns)
    engine = sqlalchemy.create_engine(sqlalchemy_url(url))
    chunk = 65_535 // len(columns) - 1  # PostgreSQL's limit on bind parameters per statement
    started = time.perf_counter()
    frame.to_sql(
        "motcua_cases_to_sql", engine, schema="public", if_exists="append", index=False, method="multi", chunksize=chunk
    )
    elapsed = time.perf_counter() - started
    engine.dispose()
    return report(rows=len(rows), seconds=elapsed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--to-sql-rows", type=int, default=100_000)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        method, url, path, *extra = args.child
        runner = {"ours": method_ours, "ceiling": method_ceiling, "to_sql": method_to_sql}[method]
        sys.exit(runner(url, Path(path), *(int(x) for x in extra)))

    with throwaway_server("bench-ingest-") as (work, server_url):
        data = work / "landing" / "motcua" / "hoso_bench.jsonl"
        data.parent.mkdir(parents=True)
        started = time.perf_counter()
        write_cases(data, args.rows)
        size = data.stat().st_size
        print(
            f"{args.rows:,} case records, {size / 2**20:.0f} MiB of JSON Lines ({time.perf_counter() - started:.0f} s"
            f" to write); PostgreSQL {server_url.split('@')[1].split('/')[0]} (embedded, same machine)"
        )
        results = {
            "ours": child(__file__, "ours", fresh_database(server_url, "bench_ours"), str(data)),
            "ceiling": child(__file__, "ceiling", fresh_database(server_url, "bench_ceiling"), str(data)),
            "to_sql": child(
                __file__, "to_sql", fresh_database(server_url, "bench_to_sql"), str(data), str(args.to_sql_rows)
            ),
        }
    rate = {k: v["rows"] / v["seconds"] for k, v in results.items()}
    print(f"\n{'method':<9} {'rows':>10} {'seconds':>8} {'rows/s':>9} {'peak MiB':>9}")
    for name, r in results.items():
        print(f"{name:<9} {r['rows']:>10,} {r['seconds']:>8.1f} {rate[name]:>9,.0f} {r['peak_mib']:>9.0f}")
    print(f"\nours / ceiling = {rate['ours'] / rate['ceiling']:.2f}   (aim: at least 0.70)")
    print(f"ours / to_sql  = {rate['ours'] / rate['to_sql']:.1f}x  (aim: at least 10x)")
    print(
        "ours includes reading, JSON parsing, contract checks, NFC and the ledger; the ceiling and to_sql start "
        "from rows already parsed in memory (which is why their peak memory grows with the file)."
    )


if __name__ == "__main__":
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    main()
