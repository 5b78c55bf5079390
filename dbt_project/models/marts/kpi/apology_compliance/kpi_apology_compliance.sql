{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- Apology compliance per agency x reporting period (target 100%): the cases that became late with an apology
-- letter / the cases that became late, where "became late" = resolved late in the period + still open and
-- overdue at its end (DOMAIN.md: an overdue backlog without apologies must show). Beside it, the apologies that
-- came at least one working day before the due date (Nghị định 118/2025 Art. 12.5, 19.6). A resolved case
-- counts at the agency that ended it, an open one at the agency holding it. An apology counts when it was made
-- by the period's end (a letter flagged without a date is taken as known). Targets, previous periods and
-- changes: kpi_values.
-- A six months or a year takes its cases from its months' states (resolved late in any of them, open and overdue
-- at the end of its last), and judges their apologies by its own end: a letter dated after the month a case was
-- resolved in still counts for the year.
{%- set rebuilt = periods_rebuilt_in(ref('int_case_period_states'), ['month', 'six_months', 'year']) %}
with {{ months_and_parents(rebuilt) }},

late_states as materialized (

    -- read once for all the periods a month is in: a case's state in a month where it was resolved late, or was
    -- open and overdue at the end, with its apologies
    select
        states.period_id as month_id,
        states.case_id,
        states.agency_id,
        states.ended_timeliness,
        states.is_open_at_end,
        states.is_resolved_after_apology_date,
        cases.has_apology,
        cases.is_apology_timely,
        cases.apology_at,
        cases.second_apology_at
    from {{ ref('int_case_period_states') }} as states
    join {{ ref('fct_cases') }} as cases using (case_id)
    where states.period_id in (select month_id from member_months)
      and (states.ended_timeliness = 'late' or (states.is_open_at_end and not states.is_within_due_at_end))

),

became_late as (

    -- resolved late in any of the period's months, or open and overdue at the end of its last
    select member_months.period_id, member_months.ends_at, late_states.*
    from member_months
    join late_states using (month_id)
    where late_states.ended_timeliness = 'late' or member_months.is_last_month

),

counted as (

    select
        period_id,
        agency_id,
        count(*) filter (where ended_timeliness = 'late')::int as late_resolved,
        count(*) filter (where is_open_at_end)::int as overdue_in_progress,
        count(*)::int as became_late,
        count(*) filter (where has_apology and (apology_at is null or apology_at < ends_at))::int
            as became_late_with_apology,
        count(*) filter (where is_apology_timely and apology_at < ends_at)::int as became_late_with_timely_apology,
        -- the rules' other limits: one apology per case (Art. 19.6), and the new appointment kept
        count(*) filter (where second_apology_at < ends_at)::int as became_late_apologised_again,
        count(*) filter (where ended_timeliness = 'late' and is_resolved_after_apology_date)::int
            as resolved_after_apology_date
    from became_late
    group by period_id, agency_id

)

select
    counted.*,
    periods.period_kind,
    periods.is_period_open,
    periods.previous_period_id,
    {{ safe_ratio('counted.became_late_with_apology', 'counted.became_late') }} as apology_compliance_rate,
    {{ safe_ratio('counted.became_late_with_timely_apology', 'counted.became_late') }} as timely_apology_rate,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from counted
join periods using (period_id)
