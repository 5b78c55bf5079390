"""Command line: `python -m warehouse <command>` (the Makefile's targets call these).

run       demo data into LANDING_DIR (if not there yet), then the nightly pipeline, then a KPI table
nightly   the nightly pipeline through Airflow on whatever LANDING_DIR holds, against DATABASE_URL
kpis      print the province KPI table from the marts
db        start | stop | url | psql  (the embedded server; `url` prints the password, for your shell only)
db        dump FILE | restore FILE [--replace]  (pg_dump / pg_restore of the warehouse, embedded or not)
compose-env  write .env for docker compose with freshly generated secrets (--force to replace one)
airflow   any airflow command with the project's AIRFLOW_HOME and DAGs folder
dbt       any dbt command on the project, against the configured warehouse, as the transformer role
sqlfluff  sqlfluff on the dbt models (the dbt templater compiles them against the configured warehouse)
region    grant-reader (on a province) | attach CODE URL | refresh (on a regional warehouse, postgres_fdw)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from .config import PROJECT_ROOT, settings
from .db import connect, database_url, redact
from .embedded import EmbeddedPostgres, bin_dir

DEMO_LOGICAL_DATE = "2026-06-30T07:00:00+07:00"  # the night after the demo data's moment (SimulationSpec.as_of, 06:00)


# Nothing phones home: Cosmos would report every task to its usage-metrics service, Airflow's UI its usage.
OFFLINE = {"AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False", "AIRFLOW__USAGE_DATA_COLLECTION__ENABLED": "False"}


def dbt_docs_projects(target: Path | str) -> str:
    """Cosmos's setting that serves the night's dbt docs (publish_docs writes them to `target`) in Airflow's UI,
    under Browse → dbt Docs, at /cosmos/khanhhoa_kpi/dbt_docs."""
    return json.dumps({"khanhhoa_kpi": {"dir": str(target), "index": "index.html", "name": "dbt Docs"}})


def airflow_env() -> dict[str, str]:
    env = os.environ.copy()
    env.setdefault("AIRFLOW_HOME", str(PROJECT_ROOT / ".airflow"))
    env.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(PROJECT_ROOT / "dags"))
    env.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    env.setdefault("AIRFLOW__CORE__DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh")
    env.setdefault("AIRFLOW__CORE__DAGBAG_IMPORT_TIMEOUT", "60")
    env.update(OFFLINE)
    # This CLI runs the DAGs with `dags test`: one task at a time in one process, where each of the ~1,500 node
    # states Cosmos's build reports costs ~20 ms (the demo night: 3 min 39 s with a task per model, 1 min 25 s with
    # one dbt task). A scheduler (docker compose, Celery) draws the models as tasks; DBT_IN_AIRFLOW=cosmos here too.
    env.setdefault("DBT_IN_AIRFLOW", "task")
    env.setdefault("AIRFLOW__COSMOS__DBT_DOCS_PROJECTS", dbt_docs_projects(settings().dbt_target_dir / "target"))
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def airflow(*args: str, log_file: Path | None = None) -> int:
    command = [str(Path(sys.executable).parent / "airflow"), *args]
    env = airflow_env()
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    if log_file is None:
        return subprocess.run(command, env=env).returncode
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "w", encoding="utf-8") as handle:
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert process.stdout is not None
        for line in process.stdout:
            handle.write(line)
            if _worth_showing(line):
                print("  " + _shorten(line), flush=True)
        return process.wait()


def _worth_showing(line: str) -> bool:
    markers = (
        "[DAG TEST] starting task_id",
        "new batches",
        "passed,",
        "blocking data-quality",
        "rejected ",
        "DagRun Finished",
        "Error",
        "Traceback",
    )
    return any(m in line for m in markers)


def _shorten(line: str) -> str:
    """Airflow's structured log line without its timestamp, level and source location."""
    line = line.rstrip()
    if "[DAG TEST] starting task_id=" in line:
        return "task " + line.split("task_id=", 1)[1].split()[0]
    if line[:4].isdigit() and "] " in line:
        line = line.split("] ", 1)[1]
        line = line.rsplit(" [", 1)[0] if " loc=" in line else line
    return line[:200]


def run_nightly(logical_date: str, full_refresh: bool = False) -> int:
    config = settings()
    print(f"Warehouse: {redact(database_url())}")
    print(f"Landing folder: {config.landing_dir}")
    started = time.monotonic()
    if airflow("db", "migrate", log_file=config.output_dir / "logs" / "airflow_db_migrate.log") != 0:
        print("airflow db migrate failed; see", config.output_dir / "logs" / "airflow_db_migrate.log")
        return 1
    log_file = config.output_dir / "logs" / f"nightly_load_{logical_date[:10]}.log"
    print(f"Running nightly_load for {logical_date} through Airflow (full log: {log_file})")
    conf = ["--conf", '{"full_refresh": true}'] if full_refresh else []
    code = airflow("dags", "test", "nightly_load", logical_date, *conf, log_file=log_file)
    print(f"nightly_load {'succeeded' if code == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s")
    if code != 0:
        print("Last lines of the log:\n" + "".join(log_file.read_text(encoding="utf-8").splitlines(True)[-40:]))
    return code


def run_rollup(period: str | None) -> int:
    config = settings()
    log_file = config.output_dir / "logs" / f"biannual_rollup_{period or 'due'}.log"
    print(f"Running biannual_rollup for {period or 'the period due'} through Airflow (full log: {log_file})")
    code = airflow("dags", "test", "biannual_rollup", "--conf", json.dumps({"period": period}), log_file=log_file)
    extracts = config.output_dir / "extracts"
    if code == 0:
        print(f"Extracts: {extracts / (period or '')}")
    else:
        print(
            "biannual_rollup FAILED; last lines of the log:\n"
            + "".join(log_file.read_text(encoding="utf-8").splitlines(True)[-30:])
        )
    return code


PRINTED_KPIS = ("online_submission_share", "case_on_time_rate", "case_late_rate_incl_overdue")


def print_kpis() -> None:
    """The province's case flow and three KPIs per six-month and annual period (from kpi_values; what each KPI
    is, from dim_kpi)."""
    config = settings()
    with connect() as conn:
        counts = conn.execute(
            """
            select period_id, bool_or(is_period_open), sum(carried_over), sum(received), sum(resolved),
                   sum(in_progress_overdue)
            from marts.kpi_case_timeliness_province
            where period_kind in ('six_months', 'year')
            group by period_id order by min(period_start_date), period_id
            """
        ).fetchall()
        values = {
            (period, kpi): value
            for period, kpi, value in conn.execute(
                "select period_id, kpi_id, value from marts.kpi_values where scope = 'province' and kpi_id = any(%s)",
                (list(PRINTED_KPIS),),
            )
        }
        legend = conn.execute(
            "select kpi_id, numerator_label_vi, denominator_label_vi from marts.dim_kpi where kpi_id = any(%s)",
            (list(PRINTED_KPIS),),
        ).fetchall()
        ledger = conn.execute(
            "select source, count(*) filter (where status = 'loaded'), count(*) filter (where status = 'rejected'),"
            " coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0) from audit.batches"
            " group by source order by source"
        ).fetchall()
    print("\nProvince case timeliness (Nghị định 09/2019 periods; all agencies, fields and channels)")
    header = (
        f"{'period':<10} {'carried':>8} {'received':>9} {'online':>7} {'resolved':>9} {'on-time':>8} "
        f"{'overdue':>8} {'late+od':>8}"
    )
    print(header)
    print("-" * len(header))
    for period, is_open, carried, received, resolved, overdue in counts:
        online, on_time, late = (_pct(values.get((period, kpi))) for kpi in PRINTED_KPIS)
        print(
            f"{period + ('*' if is_open else ''):<10} {carried:>8} {received:>9} {online:>7} "
            f"{resolved:>9} {on_time:>8} {overdue:>8} {late:>8}"
        )
    print("* period not over yet: measured up to the data date (the latest delivery's moment, marts.data_date)")
    for kpi, numerator, denominator in sorted(legend, key=lambda r: PRINTED_KPIS.index(r[0])):
        print(f"{kpi} = {numerator} / {denominator}")
    print("\nLoaded batches by source (loaded / rejected files, rows loaded / quarantined):")
    for source, loaded, rejected, rows_loaded, rows_quarantined in ledger:
        print(f"  {source:<8} {loaded:>5} / {rejected:<3} {rows_loaded:>9} / {rows_quarantined}")
    print("\nOutputs:")
    print(f"  marts (SQL): schema marts in {redact(database_url())}  (`make db-url` prints a URL for psql)")
    print("  every KPI: marts.kpi_values (what each one is: marts.dim_kpi)")
    print(f"  site for officials: {config.output_dir / 'site' / 'index.html'}  (`make site` serves it)")
    print(f"  dbt docs: {config.dbt_target_dir / 'target' / 'static_index.html'}")
    docs = config.output_dir / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    print(f"  data quality: dq.open_gaps in the warehouse; GX Data Docs: {docs}")
    print(f"  extracts: {config.output_dir / 'extracts'}")
    print(f"  logs: {config.output_dir / 'logs'}")


def _serve_site(port: int) -> int:
    """The site as any static server would serve it, on loopback only."""
    import functools
    import http.server

    folder = settings().output_dir / "site"
    if not (folder / "index.html").exists():
        print(f"no site at {folder}: run `make run` (or a night) first")
        return 1
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer(("127.0.0.1", port), handler) as server:
        print(f"serving {folder} on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


def _pct(value) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m warehouse", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="demo data + nightly pipeline + KPI table")
    run.add_argument("--cases-per-year", type=int, default=4000)
    nightly = sub.add_parser("nightly", help="the nightly pipeline on LANDING_DIR against DATABASE_URL")
    nightly.add_argument("--date", default=dt.date.today().isoformat(), help="logical date (default: today)")
    nightly.add_argument("--full-refresh", action="store_true", help="rebuild every dbt model from raw")
    sub.add_parser("kpis", help="print the province KPI table")
    db = sub.add_parser("db", help="the embedded PostgreSQL server")
    db.add_argument("action", choices=["start", "stop", "url", "psql", "dump", "restore"])
    db.add_argument("file", nargs="?", type=Path, help="the dump file (dump, restore)")
    db.add_argument("--replace", action="store_true", help="restore: drop and re-create the database first")
    rollup = sub.add_parser("rollup", help="publish the six-monthly extracts through Airflow")
    rollup.add_argument("--period", help="e.g. 2025-6T or 2025-NAM (default: the period due, if any)")
    site = sub.add_parser("site", help="serve the officials' site (OUTPUT_DIR/site) on localhost for a look")
    site.add_argument("--port", type=int, default=8800)
    blockers = sub.add_parser("blockers", help="what blocks publishing a period")
    blockers.add_argument("--period", required=True, help="e.g. 2025-6T or 2025-NAM")
    batches = sub.add_parser("batches", help="the batch ledger")
    batches.add_argument("action", nargs="?", choices=["list", "exclude"], default="list")
    batches.add_argument("batch_id", nargs="?", type=int)
    batches.add_argument("--reason")
    batches.add_argument("--limit", type=int, default=30)
    env = sub.add_parser("compose-env", help="write .env for docker compose, with freshly generated secrets")
    env.add_argument("--force", action="store_true", help="replace an existing .env (new secrets)")
    af = sub.add_parser("airflow", help="run an airflow command in the project's Airflow home")
    af.add_argument("args", nargs=argparse.REMAINDER)
    dbt = sub.add_parser("dbt", help="run a dbt command (e.g. `build --select kpi_online_share+`) on the warehouse")
    dbt.add_argument("args", nargs=argparse.REMAINDER)
    region = sub.add_parser("region", help="a regional warehouse over provinces' marts (postgres_fdw)")
    region.add_argument("action", choices=["grant-reader", "attach", "refresh"])
    region.add_argument("code", nargs="?", help="attach: the province's code (PROVINCE_CODE there)")
    region.add_argument("url", nargs="?", help="attach: the province's warehouse as its region reader logs in")
    region.add_argument("--login", default="region_reader", help="grant-reader: the login the region uses")
    fluff = sub.add_parser("sqlfluff", help="sqlfluff on the dbt project (e.g. `lint dbt_project/models`)")
    fluff.add_argument("args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    if args.command == "run":
        from ingestion.simulator.generate import SimulationSpec, generate

        config = settings()
        print(f"Demo data in {config.landing_dir} ...", flush=True)
        counts = generate(config.landing_dir, SimulationSpec(cases_per_year=args.cases_per_year))
        print("  " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()))
        code = run_nightly(DEMO_LOGICAL_DATE)
        if code == 0:
            code = run_rollup(None)  # the six-monthly extracts of the period just closed (2026-6T)
        if code == 0:
            print_kpis()
        return code
    if args.command == "nightly":
        code = run_nightly(args.date, args.full_refresh)
        if code == 0:
            print_kpis()
        return code
    if args.command == "kpis":
        print_kpis()
        return 0
    if args.command == "airflow":
        return airflow(*args.args)
    if args.command == "dbt":
        from .dbt import run_dbt

        outcome = run_dbt(args.args or ["--help"])
        print("\n".join(outcome.failures))
        return 0 if outcome.success else 1
    if args.command == "sqlfluff":
        from .dbt import dbt_environment

        command = [str(Path(sys.executable).parent / "sqlfluff"), *(args.args or ["lint", "dbt_project/models"])]
        # compiling builds nothing: any login will do, without the transformer role (a bare server has none)
        target = str(settings().dbt_target_dir / "sqlfluff")
        env = {**os.environ, **dbt_environment(), "WH_ROLE": "", "DBT_TARGET_PATH": target}
        return subprocess.run(command, cwd=PROJECT_ROOT, env=env).returncode
    if args.command == "region":
        return _region(args)
    if args.command == "site":
        return _serve_site(args.port)
    if args.command == "blockers":
        return _blockers(args.period)
    if args.command == "rollup":
        return run_rollup(args.period)
    if args.command == "batches":
        return _batches(args)
    if args.command == "compose-env":
        from .compose_env import write_env

        path = PROJECT_ROOT / ".env"
        try:
            generated = write_env(path, force=args.force)
        except FileExistsError as exc:
            print(exc)
            return 1
        print(f"{path} written (mode 600); generated: {', '.join(generated)}")
        return 0
    if args.action in ("dump", "restore"):
        return _backup(args)
    return _db(args.action)


def _backup(args) -> int:
    from .backup import RestoreRefused, dump, restore

    if not args.file:
        print(f"usage: python -m warehouse db {args.action} FILE")
        return 2
    url = database_url()
    if args.action == "dump":
        dump(url, args.file)
        print(f"{redact(url)} dumped to {args.file}")
        return 0
    try:
        restore(url, args.file, replace=args.replace)
    except RestoreRefused as exc:
        print(f"restore refused: {exc}")
        return 1
    print(f"{args.file} restored into {redact(url)}")
    return 0


def _blockers(period: str) -> int:
    from expectations.blockers import period_gaps

    with connect() as conn:
        gaps = period_gaps(conn, period)
    blocking = [g for g in gaps if g.severity == "critical"]
    print(f"Period {period}: {len(blocking)} blocking gap(s), {len(gaps) - len(blocking)} warning(s) open")
    for gap in gaps:
        print("  " + gap.line())
    if blocking:
        print("Publication is blocked until these are fixed (re-deliver, or exclude the batch) and the night re-run.")
    return 1 if blocking else 0


def _region(args) -> int:
    """grant-reader (on a province, as its owner), attach and refresh (on the region)."""
    from . import federation

    with connect() as conn:
        if args.action == "grant-reader":
            password = os.environ.get("REGION_READER_PASSWORD")
            if not password:
                print("set REGION_READER_PASSWORD to the password the region will log in with")
                return 2
            federation.grant_region_reader(conn, args.login, password)
            print(f"{args.login} may read this province's marts and dq, and nothing else")
            return 0
        if args.action == "attach":
            if not (args.code and args.url):
                print("usage: python -m warehouse region attach CODE postgresql://region_reader:…@host/db")
                return 2
            federation.attach_province(conn, args.code, args.url)
            print(f"province {args.code} attached: its marts are in province_{args.code}")
            return 0
        done = federation.refresh(conn)
        for table, rows in done.tables.items():
            print(f"region.{table}: {rows:,} rows")
        for table, why in done.left_out.items():
            print(f"left out {table}: {why}")
        return 0


def _batches(args) -> int:
    with connect() as conn:
        if args.action == "exclude":
            if not args.batch_id or not args.reason:
                print('usage: python -m warehouse batches exclude BATCH_ID --reason "why"')
                return 2
            row = conn.execute(
                "update audit.batches as b set status = 'excluded', excluded_reason = %s from audit.batches as old"
                " where b.batch_id = %s and old.batch_id = b.batch_id and b.status in ('loaded', 'rejected', 'failed')"
                " returning b.location, old.status",
                (args.reason, args.batch_id),
            ).fetchone()
            if not row:
                print(f"batch {args.batch_id} is not a loaded, rejected or failed batch; nothing changed")
                return 1
            # the events a case file carried (the portal's supplement lists) go with it
            conn.execute(
                "update audit.batches set status = 'excluded', excluded_reason = %s"
                " where parent_batch_id = %s and status = 'loaded'",
                (args.reason, args.batch_id),
            )
            if conn.execute("select to_regclass('dq.gaps')").fetchone()[0]:
                conn.execute(
                    "update dq.gaps set closed_at = now() where closed_at is null and batch_ids <@ ("
                    " select array_agg(batch_id) from audit.batches where status = 'excluded')"
                )
            if row[1] != "loaded":  # nothing of it reached raw: excluding it only closes its file_not_loaded gap
                print(f"{row[1]} batch {args.batch_id} ({row[0]}) excluded: it is no longer reported as not loaded.")
                return 0
            print(f"batch {args.batch_id} ({row[0]}) excluded: staging ignores its rows from the next build.")
            print(
                "If the marts were already built from it, rebuild them: make nightly FULL_REFRESH=1"
                " (see the README's runbook)."
            )
            return 0
        rows = conn.execute(
            "select batch_id, source, status, coalesce(validation, '-'), rows_loaded, rows_quarantined,"
            " finished_at, location from audit.batches order by batch_id desc limit %s",
            (args.limit,),
        ).fetchall()
    for batch_id, source, status, validation, loaded, quarantined, finished, location in rows:
        print(
            f"{batch_id:>7} {source:<7} {status:<9} {validation:<7} {loaded:>8} {quarantined:>5}  "
            f"{finished:%Y-%m-%d %H:%M}  {location}"
        )
    return 0


def _db(action: str) -> int:
    config = settings()
    if config.database_url and action in ("start", "stop"):
        print("DATABASE_URL is set: the warehouse is that server, not the embedded one.")
        return 0
    server = EmbeddedPostgres(config.pgdata_dir)
    if action == "start":
        state = server.ensure_running()
        print(f"embedded PostgreSQL running on 127.0.0.1:{state.port} (data: {config.pgdata_dir})")
    elif action == "stop":
        print("stopped" if server.stop() else "not running")
    elif action == "url":
        print(database_url())
    elif action == "psql":
        return subprocess.run([str(bin_dir() / "psql"), database_url()]).returncode
    return 0
