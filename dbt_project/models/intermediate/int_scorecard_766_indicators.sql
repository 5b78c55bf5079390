{{ config(
    materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]
) }}
{%- set CALENDAR = ['calendar_month', 'calendar_quarter', 'calendar_year'] %}
-- Decision 766/QĐ-TTg indicators per calendar month, quarter and year (the national portal's periods), for
-- each agency and for the province (one query, GROUPING SETS, so both grains count the same way): numerator,
-- denominator, rate, and points where ref_766_rules knows and has verified the scoring rule (null otherwise).
-- Every agency and period with any activity gets a row for every indicator of ref_766_rules, 0/0 included (the
-- portal scores some indicators in full when there is nothing to judge, 5.2 and 5.3, and others zero, 5.4);
-- an indicator the sources cannot feed (computable_from_sources = false: e.g. 3.5, 3.6B, 3.6C need every
-- fee-bearing procedure of the national TTHC database) has a null rate and null points, and every row without
-- points says why (not_scored_reason_vi).
-- A calendar quarter or year is counted from its calendar months (macro months_and_parents), each month's rows
-- counted once for all the periods it is in: a case received in it was received in one of its months; a case
-- without a supplement request is processed where it ended, in one of its months, or where it is held at its end,
-- its last month's end, and is judged there as in that month. The cases with a request are judged at the quarter's
-- or year's own end, from their rows there (int_case_period_states).
{%- set rebuilt_cases = periods_rebuilt_in(ref('int_case_period_states'), CALENDAR) %}
{%- set rebuilt_feedback = periods_rebuilt_in(ref('int_feedback_period_states'), CALENDAR) %}
{%- set received = {
    'received': none,
    'received_synced': 'is_synced_national',
    'received_online': "channel = 'online'",
    'received_digitised': 'is_digitised',
    'received_with_fee': 'has_fee',
    'received_paid_online': 'has_fee and is_paid_online',
    'received_fully_capable': 'is_fully_online_capable',
    'received_fully_online': "is_fully_online_capable and online_service_level = 'TOAN_TRINH'",
    'received_resolved': "outcome = 'resolved'",
    'received_resolved_e_result': "outcome = 'resolved' and has_electronic_result"} %}
{%- set processed = ['processed', 'processed_on_time'] %}
{%- set counts = received.keys() | list + ['received_resolved_days'] + processed %}
with {{ months_and_parents('(select period_id from ' ~ ref('int_periods_measured') ~ ' where period_id in '
                           ~ rebuilt_cases ~ ' or period_id in ' ~ rebuilt_feedback ~ ')',
                           'calendar_month', ['calendar_quarter', 'calendar_year']) }},

month_counts as (

    -- each month's cases per agency; 2.1's population (cases that ended in the period, and cases still open at
    -- its end) also without the cases with a supplement request, ended in the month and open at its end apart
    select
        period_id as month_id,
        agency_id,
        {%- for name, condition in received.items() %}
        count(*) filter (where is_received{{ ' and ' ~ condition if condition }}) as {{ name }},
        {%- endfor %}
        coalesce(sum(resolution_days) filter (where is_received and outcome = 'resolved'), 0) as received_resolved_days,
        count(*) filter (where is_processed_766) as processed,
        count(*) filter (where is_processed_766 and is_on_time_766_at_end) as processed_on_time,
        {%- for part, condition in {'ended': 'not is_open_at_end', 'open': 'is_open_at_end'}.items() %}
        count(*) filter (where is_processed_766 and not has_supplement_request and {{ condition }})
            as plain_{{ part }},
        count(*) filter (where is_processed_766 and not has_supplement_request and {{ condition }}
                         and is_on_time_766_at_end) as plain_{{ part }}_on_time{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ ref('int_case_period_states') }}
    where period_id in (select month_id from member_months)
      and (is_received or is_processed_766)
    group by period_id, agency_id

),

agency_counts as (

    -- a month's counts are its own; a quarter's or year's are its months' received cases and processed cases
    -- without a request (those ended in any month, those open at the end of its last), and its own cases with one
    select
        member_months.period_id,
        month_counts.agency_id,
        {%- for name in received.keys() | list + ['received_resolved_days'] %}
        sum(month_counts.{{ name }}) as {{ name }},
        {%- endfor %}
        {%- for name in processed %}
        sum(case when member_months.period_kind = 'calendar_month' then month_counts.{{ name }}
                 else month_counts.{{ name | replace('processed', 'plain_ended') }}
                      + case when member_months.is_last_month then month_counts.{{ name | replace('processed', 'plain_open') }}
                             else 0 end end) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from member_months
    join month_counts using (month_id)
    group by member_months.period_id, month_counts.agency_id
    union all
    select
        period_id,
        agency_id,
        {%- for name in received.keys() | list + ['received_resolved_days'] %}
        0 as {{ name }},
        {%- endfor %}
        count(*) as processed,
        count(*) filter (where is_on_time_766_at_end) as processed_on_time
    from {{ ref('int_case_period_states') }}
    where period_id in (select period_id from parents)
      and is_processed_766
    group by period_id, agency_id

),

case_counts as (

    -- an agency has a row where it received or processed a case in the period
    select
        period_id,
        case when grouping(agency_id) = 1 then 'province' else 'agency' end as scope,
        agency_id,
        {%- for name in counts %}
        sum({{ name }}){{ '::bigint' if name != 'received_resolved_days' }} as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from agency_counts
    group by grouping sets ((period_id, agency_id), (period_id))
    having sum(received) + sum(processed) > 0

),

feedback_counts as (

    select
        period_id,
        case when grouping(agency_id) = 1 then 'province' else 'agency' end as scope,
        agency_id,
        count(*) as feedback_processed,
        count(*) filter (where is_handled_on_time or (is_open_at_end and is_within_time_at_end)) as feedback_on_time,
        count(*) filter (where is_received) as feedback_received,
        count(*) filter (where is_received and not is_rated_unsatisfied
                         and not (is_open_at_end and not is_within_time_at_end)
                         and not (is_answered and not is_answered_on_time) and not is_petitioned_again)
            as feedback_satisfied,
        count(*) filter (where is_received and feedback_type = 'TTHC') as feedback_about_cases
    from {{ ref('int_feedback_period_states') }}
    where period_id in (select period_id from periods)
      and is_processed_766
    group by grouping sets ((period_id, agency_id), (period_id))

),

counts as (

    select
        coalesce(c.period_id, f.period_id) as period_id,
        coalesce(c.scope, f.scope) as scope,
        coalesce(c.agency_id, f.agency_id) as agency_id,
        coalesce(c.received, 0) as received,
        coalesce(c.received_synced, 0) as received_synced,
        coalesce(c.received_online, 0) as received_online,
        coalesce(c.received_digitised, 0) as received_digitised,
        coalesce(c.received_with_fee, 0) as received_with_fee,
        coalesce(c.received_paid_online, 0) as received_paid_online,
        coalesce(c.received_fully_capable, 0) as received_fully_capable,
        coalesce(c.received_fully_online, 0) as received_fully_online,
        coalesce(c.received_resolved, 0) as received_resolved,
        coalesce(c.received_resolved_e_result, 0) as received_resolved_e_result,
        coalesce(c.received_resolved_days, 0) as received_resolved_days,
        coalesce(c.processed, 0) as processed,
        coalesce(c.processed_on_time, 0) as processed_on_time,
        coalesce(f.feedback_processed, 0) as feedback_processed,
        coalesce(f.feedback_on_time, 0) as feedback_on_time,
        coalesce(f.feedback_received, 0) as feedback_received,
        coalesce(f.feedback_satisfied, 0) as feedback_satisfied,
        coalesce(f.feedback_about_cases, 0) as feedback_about_cases
    from case_counts as c
    full outer join feedback_counts as f
      on f.period_id = c.period_id and f.scope = c.scope and f.agency_id is not distinct from c.agency_id

),

indicators as (

    select period_id, scope, agency_id, v.indicator_id, v.numerator, v.denominator
    from counts
    cross join lateral (values
        ('1.4', received_synced::numeric, received),
        ('2.1', processed_on_time, processed),
        ('2.2', round(received_resolved_days::numeric, 2), received_resolved),
        ('3.2', received_fully_online, received_fully_capable),
        ('3.3', received_online, received),
        ('3.6', received_paid_online, received_with_fee),
        ('4.1', received_resolved_e_result, received_resolved),
        ('4.2', received_digitised, received),
        ('5.2', feedback_on_time, feedback_processed),
        ('5.3', feedback_satisfied, feedback_received),
        -- 5.4 = 1 - (overdue rate + rate of dossiers with a PAKN about them)
        ('5.4', greatest(processed_on_time - feedback_about_cases, 0), processed)
    ) as v (indicator_id, numerator, denominator)

),

scored as (

    select
        counts.period_id,
        counts.scope,
        counts.agency_id,
        rules.indicator_id,
        rules.group_id,
        indicators.numerator,
        indicators.denominator,
        case when rules.indicator_id = '2.2'
             then round(indicators.numerator / nullif(indicators.denominator, 0), 2)
             else {{ safe_ratio('indicators.numerator', 'indicators.denominator') }} end as rate,
        rules.max_points,
        rules.scoring_rule,
        rules.threshold,
        rules.factor,
        rules.is_rule_verified and rules.computable_from_sources as is_rule_verified,
        rules.computable_from_sources,
        nullif(rules.not_scored_reason_vi, '') as not_scored_reason_vi
    from counts
    cross join {{ ref('ref_766_rules') }} as rules
    left join indicators
      on indicators.period_id = counts.period_id and indicators.scope = counts.scope
     and indicators.agency_id is not distinct from counts.agency_id and indicators.indicator_id = rules.indicator_id
     and rules.computable_from_sources

)

select
    scored.period_id,
    periods.period_kind,
    periods.is_period_open,
    scored.scope,
    scored.agency_id,
    scored.group_id,
    scored.indicator_id,
    catalogue.label_vi as indicator_name_vi,
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
        when scored.scoring_rule = 'capped_factor' then least(scored.max_points, scored.factor * scored.rate)
        when scored.scoring_rule = 'times_factor' then scored.factor * scored.rate
    end, 4)::numeric(8, 4) as points,
    scored.scoring_rule,
    scored.is_rule_verified,
    scored.computable_from_sources,
    scored.not_scored_reason_vi,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id
from scored
join periods using (period_id)
left join {{ ref('ref_kpis') }} as catalogue on catalogue.kpi_id = '766_' || scored.indicator_id
