{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}]) }}
-- Province totals of the case status table per field x channel x period, counted from the case states
-- without the agency (transfers between agencies cancel out). The counts repeat kpi_case_timeliness's on
-- purpose: a test checks that the agency rows add up to these, so a case lost or counted twice when it moved
-- between agencies shows.
with periods as (

    select period_id from {{ periods_rebuilt_in(ref('int_case_period_states'), ['month', 'six_months', 'year']) }} as p

),

states as (

    select * from {{ ref('int_case_period_states') }}
    where period_id in (select period_id from periods)
      and (is_carried_over or is_received or ended_outcome is not null or is_open_at_end)

),

counted as (

    select
        period_id,
        field_id,
        channel,
        count(*) filter (where is_carried_over)::int as carried_over,
        count(*) filter (where is_received)::int as received,
        count(*) filter (where ended_outcome = 'resolved')::int as resolved,
        count(*) filter (where ended_timeliness = 'early')::int as resolved_early,
        count(*) filter (where ended_timeliness = 'on_time')::int as resolved_on_time,
        count(*) filter (where ended_timeliness = 'late')::int as resolved_late,
        count(*) filter (where ended_outcome = 'resolved' and ended_timeliness is null)::int as resolved_unjudged,
        count(*) filter (where is_open_at_end)::int as in_progress,
        count(*) filter (where is_open_at_end and is_within_due_at_end)::int as in_progress_within_due,
        count(*) filter (where is_open_at_end and not is_within_due_at_end)::int as in_progress_overdue,
        count(*) filter (where ended_outcome = 'returned')::int as returned,
        count(*) filter (where ended_outcome = 'withdrawn')::int as withdrawn
    from states
    group by period_id, field_id, channel

)

select
    counted.*,
    periods.period_kind,
    periods.is_period_open,
    counted.resolved_early + counted.resolved_on_time as on_time_numerator,
    counted.resolved - counted.resolved_unjudged as on_time_denominator,
    {{ safe_ratio('counted.resolved_early + counted.resolved_on_time', 'counted.resolved - counted.resolved_unjudged') }}
        as on_time_rate,
    counted.resolved_late + counted.in_progress_overdue as late_incl_overdue_numerator,
    counted.carried_over + counted.received as late_incl_overdue_denominator,
    {{ safe_ratio('counted.resolved_late + counted.in_progress_overdue', 'counted.carried_over + counted.received') }}
        as late_rate_incl_overdue,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id
from counted
join {{ ref('int_periods_measured') }} as periods using (period_id)
