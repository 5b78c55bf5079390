"""Run the data-quality suites (expectations/definitions.py) with Great Expectations; record results and gaps in
`dq`.

A suite validates either the rows of given batches of a raw table (kind raw_batches: the new batches, or those
that failed before) or a whole mart (kind table: its current state). Each check has GX's native `severity`
(`critical` blocks, `warning` never stops anything) and a name and kind. Every one is an unexpected-rows
expectation (GX's, with its query run once: unexpected_rows.py) whose SQL returns one row per agency and period
at fault: (agency_id, period_id, rows_affected, example_keys), so every failure can say where it is (the
checkpoint asks for GX's COMPLETE result format, which returns those rows). None is a column expectation: for
those GX learns a query's columns by running the whole query into memory.

Every result goes to dq.validation_results; every finding becomes a row of dq.gaps (first seen, last seen,
rows affected, example keys - case codes, never personal data), open until a later validation no longer
finds it; dq.open_gaps shows the open ones. Results also feed GX Data Docs (OUTPUT_DIR/gx/...).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass, field

import psycopg

from warehouse.config import settings

from .definitions import load, suite_names

log = logging.getLogger(__name__)
URL_VARIABLE = "WAREHOUSE_SQLALCHEMY_URL"  # GX reads the URL from here, so it is never written to its config

DQ_DDL = """
-- the schema is the bootstrap's (warehouse.db); made here only on a bare database (tests)
do $$ begin if to_regnamespace('dq') is null then create schema dq; end if; end $$;
create table if not exists dq.validation_results (
    result_id           bigint generated always as identity primary key,
    run_id              text,
    suite_name          text not null,
    check_name          text,
    kind                text,
    target              text not null,
    batch_ids           bigint[],
    expectation_type    text not null,
    column_name         text,
    severity            text not null,
    success             boolean not null,
    element_count       bigint,
    unexpected_count    bigint,
    unexpected_examples jsonb,
    observed_value      text,
    description         text,
    validated_at        timestamptz not null default now()
);
comment on table dq.validation_results is
  'Every Great Expectations result, one row per expectation per run: what was checked, on what, and how it went.';
alter table dq.validation_results add column if not exists check_name text;
alter table dq.validation_results add column if not exists kind text;

create table if not exists dq.gaps (
    gap_id          bigint generated always as identity primary key,
    gap_key         text not null unique,
    suite_name      text not null,
    check_name      text not null,
    kind            text not null,
    severity        text not null,
    target          text not null,
    agency_id       text,
    period_id       text,
    batch_ids       bigint[],
    rows_affected   bigint,
    example_keys    jsonb,
    description     text,
    first_seen_at   timestamptz not null default now(),
    last_seen_at    timestamptz not null default now(),
    closed_at       timestamptz,
    last_run_id     text
);
comment on table dq.gaps is
  'Every data-quality gap found, by agency and period: open while validations keep finding it (closed_at null).';
create or replace view dq.open_gaps as
    select gap_id, agency_id, period_id, kind, severity, suite_name, check_name, description, rows_affected,
           example_keys, batch_ids, first_seen_at, last_seen_at, target, last_run_id
    from dq.gaps where closed_at is null;
comment on view dq.open_gaps is
  'The data-quality gaps still open: what blocks (critical) or weakens (warning) a period.';
-- the reporting-period rule of Nghị định 09/2019 (a month runs from the 15th to the 14th) for the checks' SQL:
-- the month, as `2025-T07`, that a moment falls in
create or replace function dq.nd09_month(moment timestamptz) returns text language sql stable as $$
    select to_char((moment at time zone 'Asia/Ho_Chi_Minh')::date + interval '1 month' - interval '14 days',
                   'YYYY-"T"MM')
$$;
comment on function dq.nd09_month(timestamptz) is
  'The Nghị định 09/2019 month (15th to 14th) of a moment, e.g. 2025-T07: the period of a raw record''s gap.';
"""


class BlockingGapError(RuntimeError):
    """A critical expectation failed: the data must not flow downstream until the gap is dealt with."""


@dataclass
class Finding:
    agency_id: str | None
    period_id: str | None
    rows_affected: int
    example_keys: list
    batch_ids: list[int] | None = None  # the raw batches the rows came from, when the check can tell

    def where(self) -> str:
        return f"agency {self.agency_id or '(any)'}, period {self.period_id or '(any)'}"


@dataclass
class CheckResult:
    name: str
    kind: str
    expectation_type: str
    column: str | None
    severity: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    findings: list[Finding]
    observed: str | None
    description: str | None

    def describe(self) -> str:
        head = f"[{self.severity}] {self.name} ({self.kind})"
        if self.findings:
            parts = [
                f"{f.where()}: {f.rows_affected} rows (e.g. {', '.join(map(str, f.example_keys[:3]))})"
                for f in self.findings[:8]
            ]
            more = f"; and {len(self.findings) - 8} more agency/period pairs" if len(self.findings) > 8 else ""
            return f"{head}: " + "; ".join(parts) + more
        if self.unexpected_count is not None:
            return f"{head} on {self.column}: {self.unexpected_count} of {self.element_count} rows"
        return f"{head}: observed {self.observed}"


@dataclass
class SuiteOutcome:
    suite: str
    target: str
    kind: str
    batch_ids: list[int] | None
    checks: list[CheckResult] = field(default_factory=list)
    skipped_reason: str | None = None

    @property
    def blocking_failures(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.success and c.severity == "critical"]

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.success and c.severity != "critical"]

    def describe(self) -> str:
        if self.skipped_reason:
            return f"{self.suite} on {self.target}: skipped ({self.skipped_reason})"
        passed = sum(c.success for c in self.checks)
        return (
            f"{self.suite} on {self.target}: {passed}/{len(self.checks)} passed, "
            f"{len(self.blocking_failures)} blocking, {len(self.warnings)} warnings"
        )


# GX keeps every validation result as a file, and after every suite lists them all (parsing each one's run time)
# to rebuild the Data Docs index: 1 s a suite at 2,400 results, so it would grow by a second a night every
# month. Each suite keeps its newest results here, in its store and its Data Docs pages; dq keeps them all.
RESULTS_KEPT_PER_SUITE = 31


def _context():
    """A GX file context under OUTPUT_DIR/gx (stores results and Data Docs; suites come from our files)."""
    import great_expectations as gx

    root = settings().output_dir / "gx"
    root.mkdir(parents=True, exist_ok=True)
    return gx.get_context(mode="file", project_root_dir=str(root))


def _prune_results(suite: str, keep: int = RESULTS_KEPT_PER_SUITE) -> int:
    """Delete all but a suite's newest `keep` runs from GX's files (<suite>/<run name>/<run time>/...); the
    count deleted."""
    uncommitted = settings().output_dir / "gx" / "gx" / "uncommitted"
    deleted = 0
    for store in (uncommitted / "validations", uncommitted / "data_docs" / "local_site" / "validations"):
        runs = sorted((store / suite).glob("*/*"), key=lambda run: run.name, reverse=True)
        for run in runs[keep:]:
            shutil.rmtree(run)
            deleted += 1
    return deleted


def data_docs_index():
    return settings().output_dir / "gx" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def run_suite(name: str, sqlalchemy_url: str, batch_ids: list[int] | None = None) -> SuiteOutcome:
    """Validate one suite's target with GX (for raw_batches suites, only the given batches)."""
    return run_suites([(name, batch_ids)], sqlalchemy_url)[0]


def run_suites(requests: list[tuple[str, list[int] | None]], sqlalchemy_url: str) -> list[SuiteOutcome]:
    """Validate each (suite, batch ids) in one GX checkpoint: one context, and Data Docs rebuilt once at the end
    (GX's UpdateDataDocsAction runs after all of a checkpoint's validations), not once a suite."""
    outcomes: list[SuiteOutcome] = []
    queries: dict[str, tuple] = {}  # suite -> (its checks, the query of the rows it validates)
    for name, batch_ids in requests:
        suite = load(name)
        outcome = SuiteOutcome(name, suite.table, suite.kind, batch_ids if suite.kind == "raw_batches" else None)
        outcomes.append(outcome)
        if suite.kind == "raw_batches" and not batch_ids:
            outcome.skipped_reason = "no batch to validate"
            continue
        rows = "" if suite.kind == "table" else f" where _batch_id in ({','.join(str(int(b)) for b in batch_ids)})"
        queries[name] = (suite, f"select * from {suite.table}{rows}")
    if not queries:  # a night with no new batch: not even GX's import (2.3 s)
        return outcomes
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    from . import unexpected_rows  # noqa: F401 - registers the expectation type every check uses

    os.environ[URL_VARIABLE] = sqlalchemy_url
    context = _context()
    # recreated without assets: each run adds tonight's queries
    source = context.data_sources.add_or_update_postgres("warehouse", connection_string="${" + URL_VARIABLE + "}")
    definitions = []
    for name, (suite, query) in queries.items():
        batch = source.add_query_asset(name=name, query=query).add_batch_definition_whole_table("whole")
        expectations = context.suites.add_or_update(
            gx.ExpectationSuite(
                name=name,
                expectations=[check.gx() for check in suite.checks],
                meta={"target": {"kind": suite.kind, "table": suite.table}, "notes": suite.notes},
            )
        )
        definitions.append(
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=name, data=batch, suite=expectations)
            )
        )
        _prune_results(name, RESULTS_KEPT_PER_SUITE - 1)  # room for tonight's; the index rebuilt lists only these
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            # named for the suites it validates: GX reads a stored checkpoint's validation definitions back, and
            # those of a suite not run tonight (no new batch) name a data asset this run did not make
            name="+".join(sorted(queries)),
            validation_definitions=definitions,
            actions=[UpdateDataDocsAction(name="update_data_docs")],
            result_format={"result_format": "COMPLETE", "partial_unexpected_count": 10},
        )
    )
    results = {result.suite_name: result for result in checkpoint.run().run_results.values()}
    for outcome in outcomes:
        if outcome.suite in results:
            outcome.checks.extend(_check_result(item) for item in results[outcome.suite].results)
    return outcomes


def _check_result(item) -> CheckResult:
    config = item.expectation_config
    kwargs, meta = config.kwargs, config.meta or {}
    res = item.result or {}
    findings: list[Finding] = []
    rows = (res.get("details") or {}).get("unexpected_rows")
    if rows is not None:
        records = rows.to_dict("records") if hasattr(rows, "to_dict") else list(rows)
        for row in records:
            keys = row.get("example_keys")
            findings.append(
                Finding(
                    row.get("agency_id"),
                    row.get("period_id"),
                    int(row.get("rows_affected") or 0),
                    [str(k) for k in (list(keys) if keys is not None else [])],
                    [int(b) for b in row["batch_ids"]] if row.get("batch_ids") is not None else None,
                )
            )
    severity = str(getattr(config, "severity", None) or config.get("severity") or "critical").lower()
    observed = res.get("observed_value")
    if (res.get("details") or {}).get("truncated"):  # GX returns at most a page of rows: there may be more
        observed = f"{observed} or more"
    error = _exception_message(item)
    if error:  # a check that could not run counts as failed, and says why
        observed = f"the check could not run: {error}"
    return CheckResult(
        name=meta.get("name", config.type),
        kind=meta.get("kind", config.type),
        expectation_type=config.type,
        column=kwargs.get("column"),
        severity=severity.removeprefix("failureseverity."),
        success=bool(item.success),
        element_count=res.get("element_count"),
        unexpected_count=res.get(
            "unexpected_count", sum(f.rows_affected for f in findings) if rows is not None else None
        ),
        findings=findings,
        observed=observed
        if error
        else None
        if observed is None
        else json.dumps(_plain(observed), ensure_ascii=False)[:500],
        description=meta.get("description"),
    )


def _exception_message(item) -> str | None:
    info = item.exception_info or {}
    infos = [info] if "raised_exception" in info else list(info.values())
    for entry in infos:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            return str(entry.get("exception_message", "unknown error")).split("\n")[0][:300]
    return None


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, int | float | str | bool | type(None)) else str(value)


def ensure_dq_schema(conn: psycopg.Connection) -> None:
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(hashtext('expectations.dq'))")
        conn.execute(DQ_DDL)


def record(conn: psycopg.Connection, outcome: SuiteOutcome, run_id: str | None) -> None:
    """Results into dq.validation_results; findings into dq.gaps; gaps no longer found are closed."""
    if outcome.skipped_reason:
        return
    ensure_dq_schema(conn)
    with conn.transaction(), conn.cursor() as cur:
        cur.executemany(
            "insert into dq.validation_results (run_id, suite_name, check_name, kind, target, batch_ids,"
            " expectation_type, column_name, severity, success, element_count, unexpected_count,"
            " unexpected_examples, observed_value, description) values (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            [
                (
                    run_id,
                    outcome.suite,
                    c.name,
                    c.kind,
                    outcome.target,
                    outcome.batch_ids,
                    c.expectation_type,
                    c.column,
                    c.severity,
                    c.success,
                    c.element_count,
                    c.unexpected_count,
                    json.dumps([f.__dict__ for f in c.findings][:50], ensure_ascii=False, default=str),
                    c.observed,
                    c.description,
                )
                for c in outcome.checks
            ],
        )
        found: list[str] = []
        for check in outcome.checks:
            findings = check.findings or (
                [] if check.success else [Finding(None, None, check.unexpected_count or 0, [])]
            )
            for finding in findings:
                key = "|".join([outcome.suite, check.name, finding.agency_id or "", finding.period_id or ""])
                found.append(key)
                cur.execute(
                    "insert into dq.gaps (gap_key, suite_name, check_name, kind, severity, target, agency_id,"
                    " period_id, batch_ids, rows_affected, example_keys, description, last_run_id)"
                    " values (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)"
                    " on conflict (gap_key) do update set severity = excluded.severity, batch_ids = excluded.batch_ids,"
                    " rows_affected = excluded.rows_affected, example_keys = excluded.example_keys,"
                    " last_seen_at = now(), closed_at = null, last_run_id = excluded.last_run_id",
                    (
                        key,
                        outcome.suite,
                        check.name,
                        check.kind,
                        check.severity,
                        outcome.target,
                        finding.agency_id,
                        finding.period_id,
                        finding.batch_ids or outcome.batch_ids,
                        finding.rows_affected,
                        json.dumps(finding.example_keys[:10], ensure_ascii=False),
                        check.description,
                        run_id,
                    ),
                )
        # what this run looked at and no longer finds is fixed: a table's current state, or the same batches
        scope = "" if outcome.kind == "table" else " and batch_ids <@ %s::bigint[]"
        params = [outcome.suite, found] + ([outcome.batch_ids] if outcome.kind != "table" else [])
        cur.execute(
            "update dq.gaps set closed_at = now() where closed_at is null and suite_name = %s"
            f" and not (gap_key = any(%s)){scope}",
            params,
        )


def close_retired_checks(conn: psycopg.Connection) -> int:
    """Close the open gaps of checks that no suite defines any more (a check removed, renamed or moved to dbt):
    nothing will ever validate them again."""
    ensure_dq_schema(conn)
    defined = [f"{name}|{check.name}" for name in suite_names() for check in load(name).checks]
    return conn.execute(
        "update dq.gaps set closed_at = now()"
        " where closed_at is null and not (suite_name || '|' || check_name = any(%s))",
        (defined,),
    ).rowcount


def gate(outcomes: list[SuiteOutcome]) -> str:
    """A summary for the task log; raises BlockingGapError naming agency, period, check and rows."""
    lines = [o.describe() for o in outcomes]
    for outcome in outcomes:
        lines += [f"  {c.describe()}" for c in outcome.blocking_failures + outcome.warnings]
    blocking = [(o, c) for o in outcomes for c in o.blocking_failures]
    if blocking:
        raise BlockingGapError(
            f"{len(blocking)} blocking data-quality failure(s); downstream tasks will not run:\n"
            + "\n".join(f"  {o.suite} on {o.target}: {c.describe()}" for o, c in blocking)
            + "\nSee dq.open_gaps; fix the source and re-deliver, or exclude the batch"
            " (python -m warehouse batches exclude <batch_id> --reason ...), then re-run the night."
        )
    return "\n".join(lines)
