"""What stands between a period and its six-monthly publication: the open data-quality gaps of the period.

A critical open gap whose period overlaps the one to publish (or that has no period) blocks it; warnings
are listed but never block. `python -m warehouse blockers --period 2025-6T` prints this for an operator;
the biannual_rollup DAG refuses to publish while `blocking_gaps` returns anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import psycopg

QUERY = """
with target as (select start_date, end_date from marts.dim_period where period_id = %(period)s)
select g.gap_id, g.severity, g.kind, g.agency_id, g.period_id, g.rows_affected, g.example_keys, g.description,
       g.suite_name, g.check_name, g.first_seen_at, g.last_seen_at
from dq.open_gaps as g
cross join target
left join marts.dim_period as p on p.period_id = g.period_id
where g.period_id is null or p.period_id is null
   or (p.start_date <= target.end_date and p.end_date >= target.start_date)
order by g.severity, g.kind, g.agency_id nulls first, g.period_id
"""


@dataclass(frozen=True)
class Gap:
    gap_id: int
    severity: str
    kind: str
    agency_id: str | None
    period_id: str | None
    rows_affected: int | None
    example_keys: list
    description: str | None
    suite_name: str
    check_name: str
    first_seen_at: dt.datetime
    last_seen_at: dt.datetime

    def line(self) -> str:
        examples = ", ".join(map(str, (self.example_keys or [])[:3]))
        return (
            f"#{self.gap_id} [{self.severity}] {self.kind}: agency {self.agency_id or '(any)'}, period "
            f"{self.period_id or '(any)'}, {self.rows_affected} rows ({self.suite_name}/{self.check_name})"
            + (f" e.g. {examples}" if examples else "")
        )


def period_gaps(conn: psycopg.Connection, period_id: str) -> list[Gap]:
    exists = conn.execute("select 1 from marts.dim_period where period_id = %s", (period_id,)).fetchone()
    if not exists:
        raise ValueError(f"unknown period {period_id!r} (see marts.dim_period, e.g. 2025-6T or 2025-NAM)")
    if not conn.execute("select to_regclass('dq.open_gaps')").fetchone()[0]:
        return []
    return [Gap(*row) for row in conn.execute(QUERY, {"period": period_id}).fetchall()]


def blocking_gaps(conn: psycopg.Connection, period_id: str) -> list[Gap]:
    return [g for g in period_gaps(conn, period_id) if g.severity == "critical"]
