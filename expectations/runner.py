"""Run the Great Expectations suites kept in `expectations/suites/*.json` and record every result in `dq`.

A suite file is GX 1.x's own suite JSON; its `meta.target` says what it validates:
  {"kind": "raw_batches", "table": "raw.motcua_cases"}   only the rows of the batches just loaded
  {"kind": "table", "table": "marts.kpi_case_timeliness"} a whole table
Each expectation carries GX's native `severity`: `critical` blocks the night (downstream tasks do not run),
`warning` is recorded and never stops anything.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

import psycopg

from warehouse.config import EXPECTATIONS_DIR

log = logging.getLogger(__name__)
SUITES_DIR = EXPECTATIONS_DIR / "suites"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")

DQ_DDL = """
create schema if not exists dq;
create table if not exists dq.validation_results (
    result_id           bigint generated always as identity primary key,
    run_id              text,
    suite_name          text not null,
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
do $$ begin
    if exists (select from pg_roles where rolname = 'analyst') then
        grant usage on schema dq to analyst;
        grant select on all tables in schema dq to analyst;
    end if;
end $$;
"""


class BlockingGapError(RuntimeError):
    """A critical expectation failed: the data must not flow downstream until the gap is dealt with."""


@dataclass
class CheckResult:
    expectation_type: str
    column: str | None
    severity: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    examples: list
    observed: str | None
    description: str | None

    def describe(self) -> str:
        what = f"{self.expectation_type}({self.column})" if self.column else self.expectation_type
        rows = f"{self.unexpected_count} of {self.element_count} rows" if self.unexpected_count is not None else ""
        seen = f"; examples: {self.examples[:5]}" if self.examples else ""
        observed = f"; observed {self.observed}" if self.observed and not rows else ""
        return f"[{self.severity}] {what}: {rows}{observed}{seen}" + (
            f" — {self.description}" if self.description else ""
        )


@dataclass
class SuiteOutcome:
    suite: str
    target: str
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


def load_suite_file(name: str) -> dict:
    path = SUITES_DIR / f"{name}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    target = data.get("meta", {}).get("target", {})
    if target.get("kind") not in ("raw_batches", "table") or not _IDENTIFIER.match(target.get("table", "")):
        raise ValueError(f"{path}: meta.target must be {{'kind': 'raw_batches'|'table', 'table': 'schema.table'}}")
    return data


def run_suite(name: str, sqlalchemy_url: str, batch_ids: list[int] | None = None) -> SuiteOutcome:
    """Validate one suite's target with GX; for raw_batches suites, only the given batches."""
    import great_expectations as gx

    data = load_suite_file(name)
    target = data["meta"]["target"]
    table = target["table"]
    outcome = SuiteOutcome(name, table, batch_ids if target["kind"] == "raw_batches" else None)
    if target["kind"] == "raw_batches":
        if not batch_ids:
            outcome.skipped_reason = "no new batch"
            return outcome
        ids = ",".join(str(int(b)) for b in batch_ids)
        query = f"select * from {table} where _batch_id in ({ids})"
    else:
        query = f"select * from {table}"

    context = gx.get_context(mode="ephemeral")
    source = context.data_sources.add_postgres("warehouse", connection_string=sqlalchemy_url)
    asset = source.add_query_asset(name=name, query=query)
    batch = asset.add_batch_definition_whole_table("whole")
    suite = context.suites.add(
        gx.ExpectationSuite(name=data["name"], expectations=data["expectations"], meta=data.get("meta", {}))
    )
    definition = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))
    result = definition.run(result_format={"result_format": "SUMMARY", "partial_unexpected_count": 10})
    for item in result.results:
        config = item.expectation_config
        kwargs = config.kwargs
        res = item.result or {}
        observed = res.get("observed_value")
        outcome.checks.append(
            CheckResult(
                expectation_type=config.type,
                column=kwargs.get("column")
                or (f"{kwargs.get('column_A')},{kwargs.get('column_B')}" if kwargs.get("column_A") else None),
                severity=str(getattr(config, "severity", None) or config.get("severity") or "critical")
                .lower()
                .removeprefix("failureseverity."),
                success=bool(item.success),
                element_count=res.get("element_count"),
                unexpected_count=res.get("unexpected_count"),
                examples=[_plain(v) for v in (res.get("partial_unexpected_list") or [])],
                observed=None if observed is None else json.dumps(_plain(observed), ensure_ascii=False)[:500],
                description=(config.meta or {}).get("description"),
            )
        )
    return outcome


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value if isinstance(value, int | float | str | bool | type(None)) else str(value)


def record(conn: psycopg.Connection, outcome: SuiteOutcome, run_id: str | None) -> None:
    with conn.transaction():
        conn.execute(DQ_DDL)
        with conn.cursor() as cur:
            cur.executemany(
                "insert into dq.validation_results (run_id, suite_name, target, batch_ids, expectation_type,"
                " column_name, severity, success, element_count, unexpected_count, unexpected_examples,"
                " observed_value, description) values (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                [
                    (
                        run_id,
                        outcome.suite,
                        outcome.target,
                        outcome.batch_ids,
                        c.expectation_type,
                        c.column,
                        c.severity,
                        c.success,
                        c.element_count,
                        c.unexpected_count,
                        json.dumps(c.examples, ensure_ascii=False),
                        c.observed,
                        c.description,
                    )
                    for c in outcome.checks
                ],
            )


def gate(outcomes: list[SuiteOutcome]) -> str:
    """A summary for the task log; raises BlockingGapError naming every blocking failure."""
    lines = [o.describe() for o in outcomes]
    for outcome in outcomes:
        lines += [f"  {c.describe()}" for c in outcome.blocking_failures + outcome.warnings]
    text = "\n".join(lines)
    blocking = [(o, c) for o in outcomes for c in o.blocking_failures]
    if blocking:
        raise BlockingGapError(
            f"{len(blocking)} blocking data-quality failure(s); downstream tasks will not run:\n"
            + "\n".join(f"  {o.suite} on {o.target}: {c.describe()}" for o, c in blocking)
        )
    return text
