{#- Decision 766/QĐ-TTg indicators on calendar months, quarters and years (the national portal's periods),
    as numerator / denominator / rate; points from ref_766_rules where the scoring rule is known and
    verified (research §2.2), null otherwise. Indicators the sources cannot feed appear with a null rate. -#}
{% macro scorecard_766_kpi(by_agency) %}
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_kind in ('calendar_month', 'calendar_quarter', 'calendar_year')

),

cases as (

    select * from {{ ref('fct_cases') }}

),

received as (

    select periods.period_id, {{ 'cases.receiving_agency_id' if by_agency else 'null::text' }} as agency_id, cases.*
    from periods
    join cases on cases.received_at >= periods.starts_at and cases.received_at < periods.ends_at

),

processed as (

    -- 2.1's population: cases that ended in the period, and cases still open at its end
    select
        periods.period_id,
        {{ 'coalesce(cases.ended_agency_id, cases.current_agency_id)' if by_agency else 'null::text' }} as agency_id,
        case
            when cases.ended_at < periods.ends_at then cases.is_on_time_766
            -- open at the end: the period end stands for the end time; waiting for a supplement stops the clock
            else cases.supplement_requests <= 1
                 and (cases.is_waiting_for_supplement
                      or periods.end_date <= coalesce(cases.receipt_due_date, cases.judging_due_date))
        end as is_on_time
    from periods
    join cases
      on cases.received_at < periods.ends_at
     and (cases.ended_at is null or cases.ended_at >= periods.starts_at)

),

feedback as (

    select
        periods.period_id,
        {{ 'feedback.agency_id' if by_agency else 'null::text' }} as agency_id,
        feedback.feedback_type,
        feedback.is_rated_unsatisfied,
        feedback.is_answered,
        feedback.is_answered_on_time,
        feedback.received_at >= periods.starts_at as is_received_in_period,
        coalesce(feedback.answered_at < periods.ends_at and feedback.is_answered_on_time,
                 false) as is_handled_on_time,
        feedback.answered_at is null or feedback.answered_at >= periods.ends_at as is_open_at_end,
        feedback.deadline_date >= periods.end_date as is_within_time_at_end,
        exists (select 1 from {{ ref('fct_feedback') }} as again
                where again.sender_key = feedback.sender_key and again.feedback_id <> feedback.feedback_id
                  and again.received_at > feedback.received_at and again.received_at < periods.ends_at)
            as is_petitioned_again
    from periods
    join {{ ref('fct_feedback') }} as feedback
      on feedback.received_at < periods.ends_at
     and (feedback.received_at >= periods.starts_at
          or (feedback.answered_at >= periods.starts_at and feedback.answered_at < periods.ends_at))
    where not feedback.is_passed_on

),

fee_procedures as (

    select period_id, agency_id, procedure_id, bool_or(is_paid_online) as has_paid_online
    from received where has_fee
    group by period_id, agency_id, procedure_id

),

indicators as (

    select period_id, agency_id, '1.4' as indicator_id,
           count(*) filter (where is_synced_national) as numerator, count(*) as denominator
    from received group by period_id, agency_id
    union all
    select period_id, agency_id, '2.1', count(*) filter (where is_on_time), count(*)
    from processed group by period_id, agency_id
    union all
    select period_id, agency_id, '2.2',
           round(sum(extract(epoch from ended_at - received_at) / 86400)::numeric, 2), count(*)
    from received where outcome = 'resolved' group by period_id, agency_id
    union all
    select period_id, agency_id, '3.2',
           count(*) filter (where online_service_level = 'TOAN_TRINH'), count(*)
    from received
    where procedure_id in (select procedure_id from {{ ref('dim_procedure') }} where is_fully_online_capable)
    group by period_id, agency_id
    union all
    select period_id, agency_id, '3.3', count(*) filter (where channel = 'online'), count(*)
    from received group by period_id, agency_id
    union all
    select period_id, agency_id, '3.6', count(*) filter (where is_paid_online), count(*)
    from received where has_fee group by period_id, agency_id
    union all
    select period_id, agency_id, '3.6B', count(*) filter (where has_paid_online), count(*)
    from fee_procedures group by period_id, agency_id
    union all
    select period_id, agency_id, '3.6C', count(*), count(*)
    from fee_procedures group by period_id, agency_id
    union all
    select period_id, agency_id, '4.1', count(*) filter (where has_electronic_result), count(*)
    from received where outcome = 'resolved' group by period_id, agency_id
    union all
    select period_id, agency_id, '4.2', count(*) filter (where is_digitised), count(*)
    from received group by period_id, agency_id
    union all
    select period_id, agency_id, '5.2',
           count(*) filter (where is_handled_on_time or (is_open_at_end and is_within_time_at_end)), count(*)
    from feedback group by period_id, agency_id
    union all
    select period_id, agency_id, '5.3',
           count(*) filter (where not is_rated_unsatisfied and not (is_open_at_end and not is_within_time_at_end)
                            and not (is_answered and not is_answered_on_time) and not is_petitioned_again),
           count(*)
    from feedback where is_received_in_period group by period_id, agency_id

),

satisfaction_54 as (

    -- 5.4 = 1 - (overdue rate + rate of dossiers with a PAKN about them), research §2.2
    select
        overdue.period_id,
        overdue.agency_id,
        '5.4' as indicator_id,
        greatest(overdue.denominator - (overdue.denominator - overdue.numerator)
                 - coalesce(petitions.petitions, 0), 0) as numerator,
        overdue.denominator
    from indicators as overdue
    left join (
        select period_id, agency_id, count(*) filter (where feedback_type = 'TTHC') as petitions
        from feedback where is_received_in_period group by period_id, agency_id
    ) as petitions
      on petitions.period_id = overdue.period_id and petitions.agency_id is not distinct from overdue.agency_id
    where overdue.indicator_id = '2.1'

),

scored as (

    select
        all_indicators.period_id,
        all_indicators.agency_id,
        rules.indicator_id,
        rules.group_id,
        rules.indicator_name_vi,
        all_indicators.numerator,
        all_indicators.denominator,
        case when rules.indicator_id = '2.2'
             then round(all_indicators.numerator / nullif(all_indicators.denominator, 0), 2)
             else {{ safe_ratio('all_indicators.numerator', 'all_indicators.denominator') }} end as rate,
        rules.max_points,
        rules.scoring_rule,
        rules.threshold,
        rules.is_rule_verified,
        rules.computable_from_sources
    from (select * from indicators union all select * from satisfaction_54) as all_indicators
    join {{ ref('ref_766_rules') }} as rules using (indicator_id)

)

select
    scored.period_id,
    periods.period_kind,
    periods.is_period_open,
    scored.agency_id,
    scored.group_id,
    scored.indicator_id,
    scored.indicator_name_vi,
    scored.numerator,
    scored.denominator,
    scored.rate,
    scored.max_points,
    round(case
        when not scored.is_rule_verified then null
        when scored.scoring_rule = 'linear' then scored.max_points * scored.rate
        when scored.scoring_rule = 'linear_capped' then least(scored.max_points, scored.max_points * scored.rate)
        when scored.scoring_rule = 'linear_threshold'
            then least(scored.max_points, scored.max_points * scored.rate / scored.threshold)
        when scored.scoring_rule = 'linear_or_full_when_none'
            then case when scored.denominator = 0 then scored.max_points else scored.max_points * scored.rate end
        when scored.scoring_rule = 'linear_threshold_or_zero_when_none'
            then case when scored.denominator = 0 then 0
                      else least(scored.max_points, scored.max_points * scored.rate / scored.threshold) end
        when scored.scoring_rule = 'capped_2_5' then least(scored.max_points, 2.5 * scored.rate)
        when scored.scoring_rule = 'times_2_5' then 2.5 * scored.rate
    end, 4)::numeric(8, 4) as points,
    scored.scoring_rule,
    scored.is_rule_verified,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date
from scored
join periods using (period_id)
{% endmacro %}
