{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- The province's citizen feedback (PAKN) handling per channel received x reporting period: kpi_feedback_handling's
-- counts added up over the agencies in charge.
with counted as (

    select
        period_id,
        channel,
        max(channel_label_vi) as channel_label_vi,
        sum(received)::int as received,
        sum(passed_on)::int as passed_on,
        sum(due)::int as due,
        sum(due_answered_on_time)::int as due_answered_on_time,
        sum(answered)::int as answered,
        sum(answered_published)::int as answered_published,
        sum(satisfaction_base)::int as satisfaction_base,
        sum(unsatisfied)::int as unsatisfied,
        sum(overdue_open_at_end)::int as overdue_open_at_end
    from {{ ref('kpi_feedback_handling') }}
    where period_id in {{ periods_rebuilt_in(ref('kpi_feedback_handling'), ['month', 'six_months', 'year']) }}
    group by period_id, channel

),

periods as (

    select * from {{ ref('int_periods_measured') }}

)

select
    counted.*,
    counted.satisfaction_base - counted.unsatisfied as satisfied,
    {{ safe_ratio('counted.due_answered_on_time', 'counted.due') }} as on_time_rate,
    {{ safe_ratio('counted.answered_published', 'counted.answered') }} as published_share,
    {{ safe_ratio('counted.satisfaction_base - counted.unsatisfied', 'counted.satisfaction_base') }}
        as satisfaction_rate,
    periods.period_kind,
    periods.is_period_open,
    periods.previous_period_id,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from counted
join periods using (period_id)
