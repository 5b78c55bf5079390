-- The published province figures, recounted from the facts alone: no intermediate model of cases or feedback, no
-- KPI macro, no agency. Over the whole province every case is received once and ends once, and every feedback
-- falls due once, so a closed period's figures are plain counts of fct_cases and fct_feedback by local date.
-- kpi_values' province rows come another way (int_case_period_states and int_feedback_period_states, one agency
-- at a time, then summed): where the two disagree for a KPI and a closed period, one of them lost, doubled or
-- misjudged something. Fails with the KPI, the period and both pairs of figures. The facts are first counted per
-- day (a few thousand rows at a province's scale), then per period.
with closed_periods as (

    -- the reporting periods the KPI tables are published for (Nghị định 09/2019), once over
    select period_id, start_date, end_date from {{ ref('int_periods_measured') }}
    where not is_period_open and period_kind in ('month', 'six_months', 'year')

),

received_per_day as (

    select received_date as day, count(*) as received, count(*) filter (where channel = 'online') as received_online
    from {{ ref('fct_cases') }}
    group by received_date

),

resolved_per_day as (

    select
        ended_date as day,
        count(*) as resolved,
        count(*) filter (where channel = 'online') as resolved_online,
        count(*) filter (where timeliness in ('early', 'on_time')) as resolved_in_time,
        count(*) filter (where timeliness is not null) as resolved_judged,
        count(*) filter (where is_land_case and timeliness = 'late') as land_resolved_late,
        count(*) filter (where is_land_case and timeliness is not null) as land_resolved_judged
    from {{ ref('fct_cases') }}
    where outcome = 'resolved'
    group by ended_date

),

due_per_day as (

    select deadline_date as day, count(*) as due, count(*) filter (where is_answered_on_time) as due_answered_on_time
    from {{ ref('fct_feedback') }}
    where not is_passed_on
    group by deadline_date

),

received as (

    select periods.period_id, sum(days.received) as received, sum(days.received_online) as received_online
    from closed_periods as periods
    inner join received_per_day as days on days.day between periods.start_date and periods.end_date
    group by periods.period_id

),

resolved as (

    select
        periods.period_id,
        sum(days.resolved) as resolved,
        sum(days.resolved_online) as resolved_online,
        sum(days.resolved_in_time) as resolved_in_time,
        sum(days.resolved_judged) as resolved_judged,
        sum(days.land_resolved_late) as land_resolved_late,
        sum(days.land_resolved_judged) as land_resolved_judged
    from closed_periods as periods
    inner join resolved_per_day as days on days.day between periods.start_date and periods.end_date
    group by periods.period_id

),

due as (

    select periods.period_id, sum(days.due) as due, sum(days.due_answered_on_time) as due_answered_on_time
    from closed_periods as periods
    inner join due_per_day as days on days.day between periods.start_date and periods.end_date
    group by periods.period_id

),

recounted as (

    select period_id, 'case_on_time_rate' as kpi_id, resolved_in_time as numerator, resolved_judged as denominator
    from resolved
    union all
    select period_id, 'resolved_online_share', resolved_online, resolved from resolved
    union all
    select period_id, 'land_late_rate', land_resolved_late, land_resolved_judged from resolved
    union all
    select period_id, 'online_submission_share', received_online, received from received
    union all
    select period_id, 'feedback_on_time_rate', due_answered_on_time, due from due

),

published as (

    select kpi_id, period_id, numerator, denominator
    from {{ ref('kpi_values') }}
    where scope = 'province'
      and kpi_id in ('case_on_time_rate', 'resolved_online_share', 'land_late_rate', 'online_submission_share',
                     'feedback_on_time_rate')
      and period_id in (select period_id from closed_periods)

)

select
    kpi_id,
    period_id,
    published.numerator as published_numerator,
    recounted.numerator as recounted_numerator,
    published.denominator as published_denominator,
    recounted.denominator as recounted_denominator
from published
full outer join recounted using (kpi_id, period_id)
-- a period with nothing to count may have no published row
where coalesce(published.numerator, 0) <> coalesce(recounted.numerator, 0)
   or coalesce(published.denominator, 0) <> coalesce(recounted.denominator, 0)
