{#- PAKN handling per period (and agency in charge, when by_agency):
    on time = answered on or before the deadline / feedback whose deadline falls in the period;
    published = answered and published / answered in the period;
    satisfaction = (received − rated unsatisfied − answered late − unanswered past the deadline) / received.
    Feedback passed on to another agency or outside the agency's competence leaves the denominators. -#}
{% macro feedback_handling_kpi(by_agency) %}
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_id in {{ periods_to_refresh(['month', 'six_months', 'year'], model_watermark(),
                                             with_cases=false, with_feedback=true) }}

),

feedback as (

    select * from {{ ref('fct_feedback') }}

),

flags as (

    select
        periods.period_id,
        feedback.received_at >= periods.starts_at and feedback.received_at < periods.ends_at as is_received,
        feedback.deadline_at >= periods.starts_at and feedback.deadline_at < periods.ends_at
            and not feedback.is_passed_on as is_due,
        feedback.answered_at >= periods.starts_at and feedback.answered_at < periods.ends_at as is_answered_in_period,
        feedback.*,
        (feedback.answered_at is null or feedback.answered_at >= periods.ends_at)
            and feedback.deadline_date < periods.end_date as is_overdue_at_end
    from periods
    join feedback
      on (feedback.received_at >= periods.starts_at and feedback.received_at < periods.ends_at)
      or (feedback.deadline_at >= periods.starts_at and feedback.deadline_at < periods.ends_at)
      or (feedback.answered_at >= periods.starts_at and feedback.answered_at < periods.ends_at)

),

counted as (

    select
        period_id,
        {%- if by_agency %} agency_id,{% endif %}
        count(*) filter (where is_received)::int as received,
        count(*) filter (where is_received and is_passed_on)::int as passed_on,
        count(*) filter (where is_due)::int as due,
        count(*) filter (where is_due and is_answered_on_time)::int as due_answered_on_time,
        count(*) filter (where is_answered_in_period)::int as answered,
        count(*) filter (where is_answered_in_period and is_published)::int as answered_published,
        count(*) filter (where is_received and not is_passed_on)::int as satisfaction_base,
        count(*) filter (where is_received and not is_passed_on
                         and (is_rated_unsatisfied or (is_answered and not is_answered_on_time)
                              or is_overdue_at_end))::int as unsatisfied
    from flags
    group by period_id{% if by_agency %}, agency_id{% endif %}

),

final as (

    select
        counted.*,
        counted.satisfaction_base - counted.unsatisfied as satisfied,
        {{ safe_ratio('counted.due_answered_on_time', 'counted.due') }} as on_time_rate,
        {{ safe_ratio('counted.answered_published', 'counted.answered') }} as published_share,
        {{ safe_ratio('counted.satisfaction_base - counted.unsatisfied', 'counted.satisfaction_base') }}
            as satisfaction_rate,
        on_time.target_operator as on_time_rate_target_operator,
        on_time.target_value as on_time_rate_target,
        published.target_operator as published_share_target_operator,
        published.target_value as published_share_target,
        satisfaction.target_operator as satisfaction_rate_target_operator,
        satisfaction.target_value as satisfaction_rate_target,
        periods.period_kind,
        periods.is_period_open,
        periods.previous_period_id,
        periods.start_date as period_start_date,
        periods.end_date as measured_until_date
    from counted
    join periods using (period_id)
    {{ kpi_target_join('feedback_on_time_rate', 'periods.year', 'on_time') }}
    {{ kpi_target_join('feedback_published_share', 'periods.year', 'published') }}
    {{ kpi_target_join('feedback_satisfaction_rate', 'periods.year', 'satisfaction') }}

)

select
    final.*,
    {{ is_target_met('final.on_time_rate', 'final.on_time_rate_target_operator', 'final.on_time_rate_target') }}
        as is_on_time_rate_target_met,
    {{ is_target_met('final.published_share', 'final.published_share_target_operator', 'final.published_share_target') }}
        as is_published_share_target_met,
    {{ is_target_met('final.satisfaction_rate', 'final.satisfaction_rate_target_operator',
                     'final.satisfaction_rate_target') }} as is_satisfaction_rate_target_met,
    previous.on_time_rate as previous_on_time_rate,
    previous.published_share as previous_published_share,
    previous.satisfaction_rate as previous_satisfaction_rate,
    {{ raw_watermark() }} as source_batch_id
from final
left join {{ previous_values_source('final', ['agency_id'] if by_agency else [],
                                    ['on_time_rate', 'published_share', 'satisfaction_rate']) }} as previous
  on previous.period_id = final.previous_period_id
  {%- if by_agency %} and previous.agency_id = final.agency_id{% endif %}
{% endmacro %}
