{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- The province's case status table per field x channel x period: kpi_case_timeliness's counts added up over
-- the agencies (each moment of a case counts at exactly one agency, so the sum is the province), without the
-- moves between agencies, which cancel out in the province. The late rate's terms are the agencies' summed.
with counted as (

    select
        period_id,
        field_id,
        channel,
        sum(carried_over)::int as carried_over,
        sum(received)::int as received,
        sum(resolved)::int as resolved,
        sum(resolved_early)::int as resolved_early,
        sum(resolved_on_time)::int as resolved_on_time,
        sum(resolved_late)::int as resolved_late,
        sum(resolved_unjudged)::int as resolved_unjudged,
        sum(in_progress)::int as in_progress,
        sum(in_progress_within_due)::int as in_progress_within_due,
        sum(in_progress_overdue)::int as in_progress_overdue,
        sum(in_progress_near_due)::int as in_progress_near_due,
        sum(in_progress_waiting)::int as in_progress_waiting,
        sum(ended_with_supplement)::int as ended_with_supplement,
        sum(ended_supplement_out_of_rule)::int as ended_supplement_out_of_rule,
        sum(returned)::int as returned,
        sum(withdrawn)::int as withdrawn,
        sum(ended_after_due)::int as ended_after_due,
        sum(in_progress_unjudged)::int as in_progress_unjudged,
        sum(on_time_numerator)::int as on_time_numerator,
        sum(on_time_denominator)::int as on_time_denominator,
        sum(late_incl_overdue_numerator)::int as late_incl_overdue_numerator,
        sum(late_incl_overdue_denominator)::int as late_incl_overdue_denominator
    from {{ ref('kpi_case_timeliness') }}
    where period_id in {{ periods_rebuilt_in(ref('kpi_case_timeliness'), ['month', 'six_months', 'year']) }}
    group by period_id, field_id, channel

)

select
    counted.*,
    periods.period_kind,
    periods.is_period_open,
    {{ safe_ratio('counted.on_time_numerator', 'counted.on_time_denominator') }} as on_time_rate,
    {{ safe_ratio('counted.late_incl_overdue_numerator', 'counted.late_incl_overdue_denominator') }}
        as late_rate_incl_overdue,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from counted
join {{ ref('int_periods_measured') }} as periods using (period_id)
