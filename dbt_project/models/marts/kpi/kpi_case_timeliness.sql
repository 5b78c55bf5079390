{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}]) }}
-- Case status per agency x field x channel x reporting period: the standard one-stop-shop statistics table
-- (Biểu 06/VPCP/KSTT columns) plus the on-time rate and the late rate including overdue cases in progress.
-- Each case counts at the agency that held it at the moment measured (receipt, period start, end of the
-- case, period end); cases moved between agencies inside a period appear as transferred_in/_out, so for every
-- row: carried_over + received + transferred_in = resolved + returned + in_progress + transferred_out.
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_id in {{ periods_to_refresh(['month', 'six_months', 'year'], model_watermark()) }}

),

states as (

    select * from {{ ref('int_case_period_states') }}
    where period_id in (select period_id from periods)

),

contributions as (

    -- carried over: received before the period, not ended when it starts (at the agency holding it then)
    select period_id, field_id, channel, coalesce(carried_over_agency_id, receiving_agency_id) as agency_id,
           1 as carried_over, 0 as received, 0 as received_online, 0 as received_direct, 0 as received_postal,
           0 as resolved_early, 0 as resolved_on_time, 0 as resolved_late, 0 as resolved_unjudged,
           0 as returned, 0 as withdrawn,
           0 as in_progress_within_due, 0 as in_progress_overdue, 0 as transferred_in, 0 as transferred_out
    from states where is_carried_over

    union all

    -- received in the period, at the receiving agency
    select period_id, field_id, channel, receiving_agency_id,
           0, 1, (channel = 'online')::int, (channel = 'direct')::int, (channel = 'postal')::int,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from states where is_received

    union all

    -- ended in the period (resolved, returned, withdrawn), at the agency holding the case then
    select period_id, field_id, channel, ended_agency_id,
           0, 0, 0, 0, 0,
           (ended_timeliness = 'early')::int, (ended_timeliness = 'on_time')::int, (ended_timeliness = 'late')::int,
           -- resolved, but no due date could be found or derived (e.g. an unknown procedure): not judged
           (ended_outcome = 'resolved' and ended_timeliness is null)::int,
           (ended_outcome = 'returned')::int, (ended_outcome = 'withdrawn')::int,
           0, 0, 0, 0
    from states where ended_outcome is not null

    union all

    -- still open at the period's end: within or past the due date in force then
    select period_id, field_id, channel, coalesce(open_agency_id, receiving_agency_id),
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           is_within_due_at_end::int, (not is_within_due_at_end)::int,
           0, 0
    from states where is_open_at_end

    union all

    -- moved between agencies during the period (the 2025 reorganisation): in at the new holder ...
    select periods.period_id, cases.field_id, cases.channel, spells.agency_id,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0
    from periods
    join {{ ref('int_case_agency_spells') }} as spells
      on spells.previous_agency_id is not null
     and spells.valid_from_at >= periods.starts_at and spells.valid_from_at < periods.ends_at
    join {{ ref('fct_cases') }} as cases on cases.case_id = spells.case_id

    union all

    -- ... and out at the previous one
    select periods.period_id, cases.field_id, cases.channel, spells.previous_agency_id,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    from periods
    join {{ ref('int_case_agency_spells') }} as spells
      on spells.previous_agency_id is not null
     and spells.valid_from_at >= periods.starts_at and spells.valid_from_at < periods.ends_at
    join {{ ref('fct_cases') }} as cases on cases.case_id = spells.case_id

),

counted as (

    select
        period_id,
        agency_id,
        field_id,
        channel,
        sum(carried_over)::int as carried_over,
        sum(received)::int as received,
        sum(received_online)::int as received_online,
        sum(received_direct)::int as received_direct,
        sum(received_postal)::int as received_postal,
        sum(transferred_in)::int as transferred_in,
        sum(resolved_early + resolved_on_time + resolved_late + resolved_unjudged)::int as resolved,
        sum(resolved_early)::int as resolved_early,
        sum(resolved_on_time)::int as resolved_on_time,
        sum(resolved_late)::int as resolved_late,
        sum(resolved_unjudged)::int as resolved_unjudged,
        sum(in_progress_within_due + in_progress_overdue)::int as in_progress,
        sum(in_progress_within_due)::int as in_progress_within_due,
        sum(in_progress_overdue)::int as in_progress_overdue,
        sum(returned)::int as returned,
        sum(withdrawn)::int as withdrawn,
        sum(transferred_out)::int as transferred_out
    from contributions
    group by period_id, agency_id, field_id, channel

),

targets as (

    select year, operator as target_operator, target_value
    from {{ ref('ref_kpi_targets') }}
    where kpi = 'case_on_time_rate' and scope = 'province'

),

final as (

    select
        counted.period_id,
        periods.period_kind,
        periods.is_period_open,
        counted.agency_id,
        counted.field_id,
        counted.channel,
        counted.carried_over,
        counted.received,
        counted.received_online,
        counted.received_direct,
        counted.received_postal,
        counted.transferred_in,
        counted.resolved,
        counted.resolved_early,
        counted.resolved_on_time,
        counted.resolved_late,
        counted.resolved_unjudged,
        counted.in_progress,
        counted.in_progress_within_due,
        counted.in_progress_overdue,
        counted.returned,
        counted.withdrawn,
        counted.transferred_out,
        counted.resolved_early + counted.resolved_on_time as on_time_numerator,
        counted.resolved - counted.resolved_unjudged as on_time_denominator,
        {{ safe_ratio('counted.resolved_early + counted.resolved_on_time',
                      'counted.resolved - counted.resolved_unjudged') }} as on_time_rate,
        counted.resolved_late + counted.in_progress_overdue as late_incl_overdue_numerator,
        counted.carried_over + counted.received + counted.transferred_in as late_incl_overdue_denominator,
        {{ safe_ratio('counted.resolved_late + counted.in_progress_overdue',
                      'counted.carried_over + counted.received + counted.transferred_in') }} as late_rate_incl_overdue,
        targets.target_operator as on_time_target_operator,
        targets.target_value as on_time_target,
        periods.previous_period_id,
        periods.start_date as period_start_date,
        periods.end_date as measured_until_date
    from counted
    join periods using (period_id)
    left join targets on targets.year = periods.year

)

select
    final.*,
    {{ is_target_met('final.on_time_rate', 'final.on_time_target_operator', 'final.on_time_target') }}
        as is_on_time_target_met,
    previous.on_time_rate as previous_on_time_rate,
    final.on_time_rate - previous.on_time_rate as on_time_rate_change,
    {{ raw_watermark() }} as source_batch_id
from final
left join {{ previous_values_source('final', ['agency_id', 'field_id', 'channel'], ['on_time_rate']) }} as previous
  on previous.period_id = final.previous_period_id
 and previous.agency_id = final.agency_id
 and previous.field_id is not distinct from final.field_id
 and previous.channel = final.channel
