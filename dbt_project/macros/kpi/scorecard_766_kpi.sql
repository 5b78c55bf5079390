{#- Decision 766/QĐ-TTg indicators on calendar months, quarters and years (the national portal's periods),
    as numerator / denominator / rate; points from ref_766_rules where the scoring rule is known and
    verified (research §2.2), null otherwise. Indicators the sources cannot feed appear with a null rate. -#}
{% macro scorecard_766_kpi(by_agency) %}
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_id in {{ periods_to_refresh(['calendar_month', 'calendar_quarter', 'calendar_year'], model_watermark(),
                                             with_cases=true, with_feedback=true) }}

),

cases as (

    -- only cases still open at, or ended after, the start of the earliest period rebuilt (an index scan)
    select * from {{ ref('fct_cases') }}
    where coalesce(ended_at, 'infinity'::timestamptz) >= (select min(starts_at) from periods)

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

next_petitions as (

    -- when the same sender (keyed hash of the phone) wrote again, for 5.3's "re-petitioned" rule
    select
        feedback_id,
        lead(received_at) over (partition by sender_key order by received_at, feedback_id) as next_petition_at
    from {{ ref('fct_feedback') }}
    where sender_key is not null

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
        coalesce(next_petitions.next_petition_at < periods.ends_at, false) as is_petitioned_again
    from periods
    join {{ ref('fct_feedback') }} as feedback
      on feedback.received_at < periods.ends_at
     and (feedback.received_at >= periods.starts_at
          or (feedback.answered_at >= periods.starts_at and feedback.answered_at < periods.ends_at))
    left join next_petitions using (feedback_id)
    where not feedback.is_passed_on

),

scopes as (

    -- every period (and agency) with any activity gets every indicator, 0/0 included: the portal scores
    -- some indicators in full when there is nothing to judge (5.2, 5.3) and others zero (5.4)
    select period_id, agency_id from received
    union
    select period_id, agency_id from processed
    union
    select period_id, agency_id from feedback

),

received_counts as (

    select
        period_id,
        agency_id,
        count(*) as received,
        count(*) filter (where is_synced_national) as received_synced,
        count(*) filter (where channel = 'online') as received_online,
        count(*) filter (where is_digitised) as received_digitised,
        count(*) filter (where has_fee) as received_with_fee,
        count(*) filter (where has_fee and is_paid_online) as received_paid_online,
        count(*) filter (where procedure_id in (select procedure_id from {{ ref('dim_procedure') }}
                                                where is_fully_online_capable)) as received_fully_capable,
        count(*) filter (where online_service_level = 'TOAN_TRINH' and procedure_id in (
            select procedure_id from {{ ref('dim_procedure') }} where is_fully_online_capable)) as received_fully_online,
        count(*) filter (where outcome = 'resolved') as received_resolved,
        count(*) filter (where outcome = 'resolved' and has_electronic_result) as received_resolved_e_result,
        coalesce(sum(extract(epoch from ended_at - received_at) / 86400) filter (where outcome = 'resolved'), 0)
            as received_resolved_days
    from received
    group by period_id, agency_id

),

fee_procedures as (

    select period_id, agency_id, count(*) as fee_procedures,
           count(*) filter (where has_paid_online) as fee_procedures_paid_online
    from (
        select period_id, agency_id, procedure_id, bool_or(is_paid_online) as has_paid_online
        from received where has_fee
        group by period_id, agency_id, procedure_id
    ) as procedures
    group by period_id, agency_id

),

processed_counts as (

    select period_id, agency_id, count(*) as processed, count(*) filter (where is_on_time) as processed_on_time
    from processed
    group by period_id, agency_id

),

feedback_counts as (

    select
        period_id,
        agency_id,
        count(*) as feedback_processed,
        count(*) filter (where is_handled_on_time or (is_open_at_end and is_within_time_at_end))
            as feedback_on_time,
        count(*) filter (where is_received_in_period) as feedback_received,
        count(*) filter (where is_received_in_period and not is_rated_unsatisfied
                         and not (is_open_at_end and not is_within_time_at_end)
                         and not (is_answered and not is_answered_on_time) and not is_petitioned_again)
            as feedback_satisfied,
        count(*) filter (where is_received_in_period and feedback_type = 'TTHC') as feedback_about_cases
    from feedback
    group by period_id, agency_id

),

counts as (

    select
        scopes.period_id,
        scopes.agency_id,
        coalesce(r.received, 0) as received,
        coalesce(r.received_synced, 0) as received_synced,
        coalesce(r.received_online, 0) as received_online,
        coalesce(r.received_digitised, 0) as received_digitised,
        coalesce(r.received_with_fee, 0) as received_with_fee,
        coalesce(r.received_paid_online, 0) as received_paid_online,
        coalesce(r.received_fully_capable, 0) as received_fully_capable,
        coalesce(r.received_fully_online, 0) as received_fully_online,
        coalesce(r.received_resolved, 0) as received_resolved,
        coalesce(r.received_resolved_e_result, 0) as received_resolved_e_result,
        coalesce(r.received_resolved_days, 0) as received_resolved_days,
        coalesce(fp.fee_procedures, 0) as fee_procedures,
        coalesce(fp.fee_procedures_paid_online, 0) as fee_procedures_paid_online,
        coalesce(p.processed, 0) as processed,
        coalesce(p.processed_on_time, 0) as processed_on_time,
        coalesce(f.feedback_processed, 0) as feedback_processed,
        coalesce(f.feedback_on_time, 0) as feedback_on_time,
        coalesce(f.feedback_received, 0) as feedback_received,
        coalesce(f.feedback_satisfied, 0) as feedback_satisfied,
        coalesce(f.feedback_about_cases, 0) as feedback_about_cases
    from scopes
    left join received_counts as r
      on r.period_id = scopes.period_id and r.agency_id is not distinct from scopes.agency_id
    left join fee_procedures as fp
      on fp.period_id = scopes.period_id and fp.agency_id is not distinct from scopes.agency_id
    left join processed_counts as p
      on p.period_id = scopes.period_id and p.agency_id is not distinct from scopes.agency_id
    left join feedback_counts as f
      on f.period_id = scopes.period_id and f.agency_id is not distinct from scopes.agency_id

),

indicators as (

    select period_id, agency_id, v.indicator_id, v.numerator, v.denominator
    from counts
    cross join lateral (values
        ('1.4', received_synced::numeric, received),
        ('2.1', processed_on_time, processed),
        ('2.2', round(received_resolved_days::numeric, 2), received_resolved),
        ('3.2', received_fully_online, received_fully_capable),
        ('3.3', received_online, received),
        ('3.6', received_paid_online, received_with_fee),
        ('3.6B', fee_procedures_paid_online, fee_procedures),
        ('3.6C', fee_procedures, fee_procedures),
        ('4.1', received_resolved_e_result, received_resolved),
        ('4.2', received_digitised, received),
        ('5.2', feedback_on_time, feedback_processed),
        ('5.3', feedback_satisfied, feedback_received),
        -- 5.4 = 1 - (overdue rate + rate of dossiers with a PAKN about them), research §2.2
        ('5.4', greatest(processed_on_time - feedback_about_cases, 0), processed)
    ) as v(indicator_id, numerator, denominator)

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
    from indicators as all_indicators
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
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id
from scored
join periods using (period_id)
{% endmacro %}
