"""The long KPI table (marts.kpi_values) on the simulated province built by the nightly DAG: every KPI of the
catalogue is in it, every row's value follows from its numerator and denominator, the province equals the sum of
its agencies where the KPI is additive, levels and land branches are the sums of their agencies, and the wide
kpi_* tables say the same as the long one (recounted here from the wide tables, with their own ratio columns).
Each check is a function that returns what it finds wrong; a positive control shows each can fail."""

from __future__ import annotations

import operator
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from psycopg.rows import dict_row

pytestmark = pytest.mark.slow

OPERATORS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
# the wide tables' own ratio columns, and the catalogue KPI each one must agree with
RATIO_COLUMNS = {
    "case_on_time_rate": "on_time_rate",
    "case_late_rate_incl_overdue": "late_rate_incl_overdue",
    "online_submission_share": "online_submission_share",
    "fully_online_share": "fully_online_share",
    "online_payment_share": "online_payment_share",
    "electronic_result_share": "electronic_result_share",
    "digitisation_rate": "digitisation_rate",
    "national_sync_share": "national_sync_share",
    "resolved_online_share": "resolved_online_share",
    "land_late_rate": "land_late_rate",
    "land_late_rate_incl_overdue": "land_late_rate_incl_overdue",
    "apology_compliance_rate": "apology_compliance_rate",
    "timely_apology_rate": "timely_apology_rate",
    "feedback_on_time_rate": "on_time_rate",
    "feedback_published_share": "published_share",
    "feedback_satisfaction_rate": "satisfaction_rate",
}


def ratio(numerator, denominator, places: str = "0.000001"):
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def warehouse(nightly_province):
    url, _, first, _ = nightly_province
    assert first.returncode == 0, first.stdout[-3000:]
    import psycopg

    with psycopg.connect(url, row_factory=dict_row) as conn:
        catalogue = {r["kpi_id"]: r for r in conn.execute("select * from marts.dim_kpi")}
        rows = conn.execute("select * from marts.kpi_values").fetchall()
        yield conn, catalogue, rows


def value_errors(rows, catalogue) -> list:
    wrong = []
    for r in rows:
        unit = catalogue[r["kpi_id"]]["unit"]
        expected = {
            "share": ratio(r["numerator"], r["denominator"]),
            "days": ratio(r["numerator"], r["denominator"], "0.01"),
        }.get(unit, r["numerator"])
        if r["value"] != expected:
            wrong.append((r["kpi_id"], r["scope"], r["scope_key"], r["period_id"], r["value"], expected))
        if unit == "share" and r["value"] is not None and not (0 <= r["value"] <= 1):
            wrong.append((r["kpi_id"], r["scope"], r["scope_key"], r["period_id"], "out of [0, 1]", r["value"]))
    return wrong


def sum_mismatches(rows, catalogue, whole: str, part: str, key_of) -> list:
    """Rows of scope `whole` whose numerator and denominator differ from the sums of the `part` rows that
    `key_of(part_row)` assigns to them (None: the part belongs to no whole)."""

    def counted(kpi):  # additive, and given the whole's scope
        return catalogue[kpi]["is_additive"] and whole in catalogue[kpi]["scopes"]

    sums = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
    for r in rows:
        if r["scope"] == part and counted(r["kpi_id"]) and key_of(r) is not None:
            total = sums[(r["kpi_id"], key_of(r), r["period_id"])]
            total[0] += r["numerator"] or 0
            total[1] += r["denominator"] or 0
            total[2] += 1
    wrong = []
    for r in rows:
        if r["scope"] != whole or not counted(r["kpi_id"]):
            continue
        numerator, denominator, parts = sums.pop((r["kpi_id"], r["scope_key"], r["period_id"]), (0, 0, 0))
        if (r["numerator"] or 0, r["denominator"] or 0) != (numerator, denominator):
            wrong.append((r["kpi_id"], r["scope_key"], r["period_id"], r["numerator"], numerator, parts))
    # wholes missing for some parts
    wrong += [(kpi, key, period, None, total[0], total[2]) for (kpi, key, period), total in sums.items() if total[0]]
    return wrong


def test_every_kpi_the_catalogue_measures_is_in_the_long_table_and_nothing_else(warehouse):
    conn, catalogue, rows = warehouse
    measured = {k for k, c in catalogue.items() if c["is_measured"]}
    # a 766 group none of whose indicators can be scored (no known rule, or no data) has no points to publish
    unscorable = {
        f"766_group_{r['group_id']}"
        for r in conn.execute(
            "select group_id from reference.ref_766_rules group by group_id"
            " having not bool_or(computable_from_sources and is_rule_verified and scoring_rule <> 'none')"
        )
    }
    assert unscorable == {"766_group_3a"}  # 3.1-3.3: no rule reproduces the portal's points yet
    province = {r["kpi_id"] for r in rows if r["scope"] == "province"}
    assert province == measured - unscorable
    assert {r["kpi_id"] for r in rows} <= measured
    for kpi in measured - unscorable:
        scopes = {r["scope"] for r in rows if r["kpi_id"] == kpi}
        assert scopes <= set(catalogue[kpi]["scopes"]), kpi
        assert {"agency", "province"} <= scopes, kpi


def test_every_value_follows_from_its_numerator_and_denominator(warehouse):
    _, catalogue, rows = warehouse
    assert value_errors(rows, catalogue) == []
    broken = [dict(rows[0], value=(rows[0]["value"] or 0) + Decimal("0.1"))]
    assert value_errors(broken, catalogue), "the check finds a value that does not follow"


def test_the_province_equals_the_sum_of_its_agencies_where_the_kpi_is_additive(warehouse):
    _, catalogue, rows = warehouse
    additive = {k for k, c in catalogue.items() if c["is_additive"] and c["is_measured"]}
    assert {"case_on_time_rate", "online_submission_share", "feedback_on_time_rate", "766_2.1"} <= additive
    assert sum_mismatches(rows, catalogue, "province", "agency", lambda r: "province") == []
    agency_row = next(r for r in rows if r["scope"] == "agency" and r["kpi_id"] == "case_on_time_rate")
    broken = [r if r is not agency_row else dict(r, numerator=r["numerator"] + 1) for r in rows]
    assert sum_mismatches(broken, catalogue, "province", "agency", lambda r: "province")


# The province's numerators and denominators counted straight from the facts (fct_cases, fct_feedback) and the
# periods, in plain SQL that shares nothing with the KPI models or the per-period states.
RECOUNT = """
with periods as (
    select period_id, starts_at, ends_at, end_date from intermediate.int_periods_measured
    where period_kind in ('month', 'six_months', 'year')
),
open_at_end as (
    -- open when the period ends, and whether past the due date in force then: the receipt's, unless a lawful
    -- supplement request was answered before the end (then the restarted one); null while waiting for the citizen
    -- after a lawful request, or without any due date
    select periods.period_id, periods.end_date, cases.*,
           case when cases.is_supplement_lawful and cases.first_request_at < periods.ends_at
                     and (cases.first_completed_at is null or cases.first_completed_at >= periods.ends_at)
                then null
                when cases.is_supplement_lawful and cases.first_completed_at < periods.ends_at
                then cases.judging_due_date < periods.end_date
                else cases.receipt_judging_due_date < periods.end_date
           end as is_overdue,
           coalesce(cases.apology_at < periods.ends_at, cases.has_apology) as has_apology_by_end
    from periods
    join marts.fct_cases as cases
      on cases.received_at < periods.ends_at and (cases.ended_at is null or cases.ended_at >= periods.ends_at)
),
judged as (
    -- the late rate's cases: ended in the period (resolved with a due date, or returned/withdrawn after it), or
    -- open at its end with a due date in force
    select period_id, is_land_case, timeliness = 'late' or is_ended_after_due as is_late
    from (select periods.period_id, cases.* from periods
          join marts.fct_cases as cases on cases.ended_at >= periods.starts_at and cases.ended_at < periods.ends_at)
         as ended_cases
    where timeliness is not null or is_ended_after_due
    union all
    select period_id, is_land_case, is_overdue from open_at_end where is_overdue is not null
),
received as (
    select periods.period_id, cases.* from periods
    join marts.fct_cases as cases on cases.received_at >= periods.starts_at and cases.received_at < periods.ends_at
),
ended as (
    select periods.period_id, cases.* from periods
    join marts.fct_cases as cases on cases.ended_at >= periods.starts_at and cases.ended_at < periods.ends_at
),
due as (
    select periods.period_id, feedback.* from periods
    join marts.fct_feedback as feedback
      on feedback.deadline_at >= periods.starts_at and feedback.deadline_at < periods.ends_at
    where not feedback.is_passed_on
)
select 'online_submission_share' as kpi, period_id, count(*) filter (where channel = 'online') as num, count(*) as den
from received group by period_id
union all
select 'online_payment_share', period_id, count(*) filter (where has_fee and is_paid_online),
       count(*) filter (where has_fee) from received group by period_id
union all
select 'national_sync_share', period_id, count(*) filter (where is_synced_national), count(*)
from received group by period_id
union all
select 'case_on_time_rate', period_id, count(*) filter (where timeliness in ('early', 'on_time')),
       count(*) filter (where timeliness is not null) from ended where outcome = 'resolved' group by period_id
union all
select 'digitisation_rate', period_id, count(*) filter (where is_digitised), count(*)
from ended where outcome = 'resolved' group by period_id
union all
select 'land_late_rate', period_id, count(*) filter (where timeliness = 'late'), count(*)
from ended where outcome = 'resolved' and timeliness is not null and is_land_case group by period_id
union all
select 'case_late_rate_incl_overdue', period_id, count(*) filter (where is_late), count(*)
from judged group by period_id
union all
select 'land_late_rate_incl_overdue', period_id, count(*) filter (where is_late), count(*)
from judged where is_land_case group by period_id
union all
select 'apology_compliance_rate', period_id, count(*) filter (where has_apology_by_end), count(*)
from (select period_id, coalesce(apology_at < ends_at, has_apology) as has_apology_by_end from ended
      join periods using (period_id) where timeliness = 'late'
      union all
      select period_id, has_apology_by_end from open_at_end where is_overdue) as became_late
group by period_id
union all
select 'feedback_on_time_rate', period_id, count(*) filter (where is_answered_on_time), count(*)
from due group by period_id
"""


def test_the_province_recounted_from_the_facts_equals_the_long_table(warehouse):
    conn, _, rows = warehouse
    province = {
        (r["kpi_id"], r["period_id"]): (r["numerator"], r["denominator"]) for r in rows if r["scope"] == "province"
    }
    recounted = conn.execute(RECOUNT).fetchall()
    assert len({r["kpi"] for r in recounted}) == 10 and len(recounted) > 100
    wrong = [
        (r["kpi"], r["period_id"], r["num"], r["den"], province.get((r["kpi"], r["period_id"])))
        for r in recounted
        if r["den"] and province.get((r["kpi"], r["period_id"])) != (r["num"], r["den"])
    ]
    assert wrong == []


def test_levels_and_land_branches_are_the_sums_of_their_agencies(warehouse):
    conn, catalogue, rows = warehouse
    agencies = {
        r["agency_id"]: r for r in conn.execute("select agency_id, agency_level, land_branch_id from marts.dim_agency")
    }
    assert (
        sum_mismatches(rows, catalogue, "agency_level", "agency", lambda r: agencies[r["agency_id"]]["agency_level"])
        == []
    )
    land = [r for r in rows if r["kpi_id"] == "land_late_rate_incl_overdue"]
    assert {r["scope"] for r in land} == {"agency", "agency_level", "land_branch", "province"}
    assert (
        sum_mismatches(land, catalogue, "land_branch", "agency", lambda r: agencies[r["agency_id"]]["land_branch_id"])
        == []
    )


def recount_queries(c: dict) -> dict[str, str]:
    """SQL that recounts one catalogue KPI from its wide tables, per agency and for the province: (key,
    period_id, num, den)."""
    num, den = c["numerator_column"], c["denominator_column"]
    if c["measured_in"] == "fct_report_values":  # the columns are indicator codes of the agencies' reports

        def pick(code):
            return f"sum(value) filter (where indicator_id = '{code}')" if code else "null"

        head = f"{pick(num)} as num, {pick(den)} as den from marts.fct_report_values"
        return {
            "agency": f"select agency_id as key, period_id, {head} group by 1, 2",
            "province": f"select 'province' as key, period_id, {head} group by 2",
        }
    sums = f"sum({num}) as num, {f'sum({den})' if den else 'null'} as den"  # a count has no denominator
    if c["measured_in"] == "kpi_766_scorecard":
        item = f"indicator_id = '{c['item']}'"
        return {
            "agency": f"select agency_id as key, period_id, {sums} from marts.kpi_766_scorecard"
            f" where {item} group by 1, 2",
            "province": f"select 'province' as key, period_id, {sums} from marts.kpi_766_scorecard_province"
            f" where {item} group by 2",
        }
    if c["measured_in"] == "kpi_766_scorecard_totals":
        item = f"group_id = '{c['item']}'"
        return {
            scope: f"select {key} as key, period_id, {sums} from marts.kpi_766_scorecard_totals"
            f" where {item} and scope = '{scope}' group by 1, 2"
            for scope, key in (("agency", "agency_id"), ("province", "'province'"))
        }
    return {
        "agency": f"select agency_id as key, period_id, {sums} from marts.{c['measured_in']} group by 1, 2",
        "province": f"select 'province' as key, period_id, {sums} from marts.{c['measured_in']}_province group by 2",
    }


def test_the_wide_tables_say_the_same_as_the_long_one(warehouse):
    """Recounted from the wide tables with the catalogue's columns, at the agency and province scopes; and every
    ratio column a wide table has equals the catalogue's numerator / denominator on each of its rows."""
    conn, catalogue, rows = warehouse
    long = {(r["kpi_id"], r["scope"], r["scope_key"], r["period_id"]): (r["numerator"], r["denominator"]) for r in rows}
    recounted = {}
    for kpi, c in catalogue.items():
        if not c["is_measured"]:
            continue
        for scope, sql in recount_queries(c).items():
            for row in conn.execute(sql).fetchall():
                if row["num"] is not None or row["den"] is not None:
                    recounted[(kpi, scope, row["key"], row["period_id"])] = (row["num"], row["den"])
    in_long = {k: v for k, v in long.items() if k[1] in ("agency", "province")}
    assert {k: tuple(map(Decimal, (x for x in v if x is not None))) for k, v in recounted.items()} == {
        k: tuple(map(Decimal, (x for x in v if x is not None))) for k, v in in_long.items()
    }
    for kpi, column in RATIO_COLUMNS.items():
        c = catalogue[kpi]
        for table in (c["measured_in"], f"{c['measured_in']}_province"):
            disagree = conn.execute(
                f"select count(*) as n from marts.{table} where {column} is distinct from"
                f" case when {c['denominator_column']} > 0 then round({c['numerator_column']}::numeric"
                f" / {c['denominator_column']}, 6) end"
            ).fetchone()["n"]
            assert disagree == 0, f"{table}.{column} and the catalogue's {kpi} disagree on {disagree} rows"


def test_targets_and_comparisons_follow_from_the_rows(warehouse):
    conn, _, rows = warehouse
    by_key = {(r["kpi_id"], r["scope"], r["scope_key"], r["period_id"]): r for r in rows}
    targets = {
        (t["kpi"], t["year"]): t for t in conn.execute("select * from marts.dim_kpi_target where scope = 'province'")
    }
    periods = {p["period_id"]: p for p in conn.execute("select period_id, year, end_date from marts.dim_period")}
    checked = 0
    for r in rows:
        period = periods[r["period_id"]]
        target = targets.get((r["kpi_id"], period["year"]))
        if target and target["applies_from"] and period["end_date"] < target["applies_from"]:
            target = None  # a target set during the year applies to the periods ending after it
        assert (r["target_operator"], r["target_value"], r["target_source"]) == (
            (target["operator"], target["target_value"], target["source_document"]) if target else (None, None, None)
        ), r
        met = (
            None
            if target is None or r["value"] is None
            else OPERATORS[target["operator"]](r["value"], r["target_value"])
        )
        assert r["is_target_met"] == met, r
        previous = by_key.get((r["kpi_id"], r["scope"], r["scope_key"], r["previous_period_id"]))
        assert r["previous_value"] == (previous["value"] if previous else None), r
        if r["previous_value"] is not None and r["value"] is not None:
            assert r["change_from_previous"] == r["value"] - r["previous_value"]
            checked += 1
        year_before = by_key.get((r["kpi_id"], r["scope"], r["scope_key"], r["year_before_period_id"]))
        assert r["year_before_value"] == (year_before["value"] if year_before else None), r
    assert checked > 100
    assert any(r["is_target_met"] is False for r in rows) and any(r["is_target_met"] for r in rows)
