{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- Citizen feedback (PAKN) handling per agency in charge x channel received (hotline, portals, desk, letter) x
-- reporting period:
-- on time = answered on or before the deadline / feedback whose deadline falls in the period;
-- published = answered and published / answered in the period;
-- satisfaction = (received - rated unsatisfied - answered late - unanswered past the deadline) / received.
-- Feedback passed on to another agency or outside the agency's competence leaves the denominators.
-- Targets, previous periods and changes: kpi_values.
{%- set rebuilt = periods_rebuilt_in(ref('int_feedback_period_states'), ['month', 'six_months', 'year']) %}
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_id in {{ rebuilt }}

),

counted as (

    select
        period_id,
        agency_id,
        channel,
        count(*) filter (where is_received)::int as received,
        count(*) filter (where is_received and is_passed_on)::int as passed_on,
        count(*) filter (where is_due)::int as due,
        count(*) filter (where is_due and is_answered_on_time)::int as due_answered_on_time,
        count(*) filter (where is_answered_in_period)::int as answered,
        count(*) filter (where is_answered_in_period and is_published)::int as answered_published,
        count(*) filter (where is_received and not is_passed_on)::int as satisfaction_base,
        count(*) filter (where is_received and not is_passed_on
                         and (is_rated_unsatisfied or (is_answered and not is_answered_on_time)
                              or is_overdue_at_end))::int as unsatisfied,
        -- the backlog: unanswered at the period's end with the deadline passed, however old (not passed on)
        count(*) filter (where is_overdue_at_end and not is_passed_on)::int as overdue_open_at_end
    from {{ ref('int_feedback_period_states') }}
    where period_id in {{ rebuilt }}
    group by period_id, agency_id, channel

)

select
    counted.*,
    channels.label_vi as channel_label_vi,
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
left join {{ ref('ref_feedback_channels') }} as channels using (channel)
