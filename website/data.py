"""What the site shows, read from the marts and dq as the `analyst` role (no raw table is reachable from it).

Every figure comes from marts.kpi_values and is described by marts.dim_kpi, like the extracts; the near-due
lists from marts.fct_near_due_cases; missing reports from marts.kpi_report_compliance; the data-quality gaps
and validations from dq.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import psycopg
from psycopg.rows import dict_row

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")

# which families a data-quality suite's findings weaken (a KPI under an open gap is marked with a link to it)
CASE_FAMILIES = ("case_timeliness", "online_share", "land_lateness", "apology_compliance", "scorecard_766")
REPORT_FAMILIES = ("citizen_reception", "complaints_denunciations", "anti_corruption", "administrative_reform")
SUITE_FAMILIES = {
    "raw_motcua_cases": CASE_FAMILIES,
    "raw_motcua_events": CASE_FAMILIES,
    "mart_case_kpis": CASE_FAMILIES,
    "mart_other_kpis": CASE_FAMILIES,
    "raw_pakn_feedback": ("feedback_handling",),
    "raw_baocao_values": REPORT_FAMILIES,
    "raw_baocao_register": ("report_compliance",),
    "mart_report_compliance": ("report_compliance",),
}


def rows(conn: psycopg.Connection, sql: str, params: dict | None = None) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, params or {}).fetchall()


@dataclass(frozen=True)
class Periods:
    """The periods the site shows: the data date, the statistical month it is in (open), the last month that is
    over, the six-month or annual period it is in, and the last twelve months for the trends."""

    as_of: dt.datetime
    current_month: dict
    last_month: dict
    current_half: dict
    years: list[dict]  # the two years before the six-month period's, latest first
    months: list[dict]  # the last twelve months that are over, oldest first, then the current one


def periods(conn: psycopg.Connection) -> Periods:
    as_of = rows(conn, "select as_of_at from marts.data_date")[0]["as_of_at"].astimezone(LOCAL)
    measured = rows(
        conn,
        """
        select distinct on (v.period_id) v.period_id, p.period_kind, p.label_vi, p.start_date, p.end_date,
               v.is_period_open
        from marts.kpi_values v join marts.dim_period p using (period_id)
        where v.kpi_id = 'case_on_time_rate' and v.scope = 'province'
          and p.period_kind in ('month', 'six_months', 'year')
        order by v.period_id
        """,
    )
    months = sorted((p for p in measured if p["period_kind"] == "month"), key=lambda p: p["end_date"])
    closed = [p for p in months if not p["is_period_open"]]
    halves = sorted((p for p in measured if p["period_kind"] == "six_months"), key=lambda p: p["end_date"])
    years = sorted((p for p in measured if p["period_kind"] == "year"), key=lambda p: p["end_date"], reverse=True)
    current = next((p for p in months if p["is_period_open"]), closed[-1])
    return Periods(
        as_of=as_of,
        current_month=current,
        last_month=closed[-1],
        current_half=halves[-1],
        years=[y for y in years if y["end_date"] < halves[-1]["end_date"]][:2],
        months=[*closed[-12:], *([current] if current is not closed[-1] else [])],
    )


def catalogue(conn: psycopg.Connection) -> list[dict]:
    """The KPIs measured (dim_kpi), in the documents' order; the 766 scorecard stays in its own documents."""
    return rows(
        conn,
        "select * from marts.dim_kpi where is_measured and family <> 'scorecard_766' order by display_order",
    )


def values(conn: psycopg.Connection, scope: str, period_ids: list[str], key: str | None = None) -> dict:
    """kpi_values by (kpi_id, scope_key, period_id)."""
    found = rows(
        conn,
        """
        select * from marts.kpi_values
        where scope = %(scope)s and period_id = any(%(p)s) and (%(key)s::text is null or scope_key = %(key)s)
        """,
        {"scope": scope, "p": period_ids, "key": key},
    )
    return {(r["kpi_id"], r["scope_key"], r["period_id"]): r for r in found}


def agencies(conn: psycopg.Connection) -> list[dict]:
    """The agencies that have any KPI value in the months shown: current ones first by level, then by code."""
    return rows(
        conn,
        """
        select a.agency_id, a.agency_name, a.agency_level, a.is_current
        from marts.dim_agency a
        where exists (select 1 from marts.kpi_values v where v.scope = 'agency' and v.agency_id = a.agency_id)
        order by not a.is_current, a.agency_level, a.agency_id
        """,
    )


def near_due(conn: psycopg.Connection) -> list[dict]:
    """The open cases near or past their due date (fct_near_due_cases), most urgent first."""
    return rows(conn, "select * from marts.fct_near_due_cases order by working_days_left, due_date, case_id")


def reports_not_on_time(conn: psycopg.Connection) -> list[dict]:
    """Required reports missing or late, latest periods first."""
    return rows(
        conn,
        """
        select r.period_id, p.label_vi as period_label, r.agency_id, a.agency_name, r.report_type,
               r.filing_status, r.deadline_date, r.submitted_date, r.days_late
        from marts.kpi_report_compliance r
        join marts.dim_period p using (period_id)
        join marts.dim_agency a using (agency_id)
        where r.filing_status in ('missing', 'late')
        order by p.end_date desc, r.filing_status, r.agency_id, r.report_type
        """,
    )


def open_gaps(conn: psycopg.Connection) -> list[dict]:
    return rows(
        conn,
        """
        select gap_id, agency_id, period_id, kind, severity, suite_name, rows_affected, first_seen_at, last_seen_at
        from dq.open_gaps order by severity, period_id desc nulls last, agency_id nulls first, gap_id
        """,
    )


def validations(conn: psycopg.Connection) -> list[dict]:
    """The latest result of every check of every suite: what was validated, when, and how it went."""
    return rows(
        conn,
        """
        select distinct on (suite_name, check_name) suite_name, check_name, kind, target, severity, success,
               element_count, unexpected_count, validated_at
        from dq.validation_results
        order by suite_name, check_name, validated_at desc, result_id desc
        """,
    )


def gaps_by_family(gaps: list[dict]) -> dict[tuple[str, str | None], list[dict]]:
    """Open gaps by (family, agency or None for all agencies)."""
    out: dict[tuple[str, str | None], list[dict]] = {}
    for gap in gaps:
        for family in SUITE_FAMILIES.get(gap["suite_name"], ()):
            out.setdefault((family, gap["agency_id"]), []).append(gap)
    return out
