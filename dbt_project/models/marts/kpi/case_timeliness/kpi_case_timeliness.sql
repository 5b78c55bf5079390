{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- Case status per agency x field x channel x reporting period: the standard one-stop-shop statistics table
-- (Biểu 06/VPCP/KSTT columns) plus the on-time rate and the late rate including overdue cases in progress.
-- Each case counts at the agency that held it at the moment measured (int_case_period_states); cases moved
-- between agencies inside a period appear as transferred_in/_out, so for every row:
-- carried_over + received + transferred_in = resolved + returned + withdrawn + in_progress + transferred_out.
-- The late rate including overdue cases is over the cases judged here in the period (DOMAIN.md): resolved with a
-- due date, returned or withdrawn after the due date had passed (ended_after_due: late before they ended), and
-- in progress at the end with a due date. So a case moved out is in the denominator of the agency that ends or
-- holds it, not of every agency it passed, and a case returned or withdrawn in time counts nowhere.
-- Targets, previous periods and changes of the two rates: kpi_values.
{%- set rebuilt = periods_rebuilt_in(ref('int_case_period_states'), ['month', 'six_months', 'year']) %}
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_id in {{ rebuilt }}

),

states as (

    select * from {{ ref('int_case_period_states') }}
    where period_id in {{ rebuilt }}
      and (is_carried_over or is_received or ended_outcome is not null or is_open_at_end)

),

moves as (

    -- moved between agencies during the period (the 2025 reorganisation): in at the new holder, out at the
    -- previous one
    select periods.period_id, moved.agency_id, cases.field_id, cases.channel, moved.direction
    from periods
    join {{ ref('int_case_agency_spells') }} as spells
      on spells.previous_agency_id is not null
     and spells.valid_from_at >= periods.starts_at and spells.valid_from_at < periods.ends_at
    join {{ ref('fct_cases') }} as cases on cases.case_id = spells.case_id
    cross join lateral (values (spells.agency_id, 'in'), (spells.previous_agency_id, 'out'))
        as moved (agency_id, direction)

),

flows as (

    select
        period_id, agency_id, field_id, channel, is_carried_over, is_received, ended_outcome, ended_timeliness,
        is_ended_after_due, is_open_at_end, is_waiting_at_end, is_within_due_at_end, is_near_due_at_end,
        has_supplement_request, is_supplement_out_of_rule, null as moved
    from states
    union all
    select period_id, agency_id, field_id, channel, false, false, null, null, false, false, null, null, null, false,
           false, direction
    from moves

),

counted as (

    select
        period_id,
        agency_id,
        field_id,
        channel,
        count(*) filter (where is_carried_over)::int as carried_over,
        count(*) filter (where is_received)::int as received,
        count(*) filter (where is_received and channel = 'online')::int as received_online,
        count(*) filter (where is_received and channel = 'direct')::int as received_direct,
        count(*) filter (where is_received and channel = 'postal')::int as received_postal,
        count(*) filter (where moved = 'in')::int as transferred_in,
        count(*) filter (where ended_outcome = 'resolved')::int as resolved,
        count(*) filter (where ended_timeliness = 'early')::int as resolved_early,
        count(*) filter (where ended_timeliness = 'on_time')::int as resolved_on_time,
        count(*) filter (where ended_timeliness = 'late')::int as resolved_late,
        -- resolved, but no due date could be found or derived (e.g. an unknown procedure): not judged
        count(*) filter (where ended_outcome = 'resolved' and ended_timeliness is null)::int as resolved_unjudged,
        count(*) filter (where is_open_at_end)::int as in_progress,
        count(*) filter (where is_open_at_end and is_within_due_at_end)::int as in_progress_within_due,
        count(*) filter (where is_open_at_end and not is_within_due_at_end)::int as in_progress_overdue,
        count(*) filter (where is_open_at_end and is_near_due_at_end)::int as in_progress_near_due,
        count(*) filter (where ended_outcome = 'returned')::int as returned,
        count(*) filter (where ended_outcome = 'withdrawn')::int as withdrawn,
        count(*) filter (where is_ended_after_due)::int as ended_after_due,
        count(*) filter (where is_open_at_end and is_waiting_at_end)::int as in_progress_waiting,
        count(*) filter (where is_open_at_end and not is_waiting_at_end and is_within_due_at_end is null)::int
            as in_progress_unjudged,
        -- the 2022 plan asks agencies to limit supplement requests: counted when the case ends here
        count(*) filter (where ended_outcome is not null and has_supplement_request)::int as ended_with_supplement,
        count(*) filter (where ended_outcome is not null and is_supplement_out_of_rule)::int
            as ended_supplement_out_of_rule,
        count(*) filter (where moved = 'out')::int as transferred_out,
        {{ late_incl_overdue_counts() }}
    from flows
    group by period_id, agency_id, field_id, channel

)

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
    counted.in_progress_near_due,
    counted.in_progress_waiting,
    counted.returned,
    counted.withdrawn,
    counted.ended_after_due,
    counted.in_progress_unjudged,
    counted.ended_with_supplement,
    counted.ended_supplement_out_of_rule,
    counted.transferred_out,
    counted.resolved_early + counted.resolved_on_time as on_time_numerator,
    counted.resolved - counted.resolved_unjudged as on_time_denominator,
    {{ safe_ratio('counted.resolved_early + counted.resolved_on_time', 'counted.resolved - counted.resolved_unjudged') }}
        as on_time_rate,
    counted.late_incl_overdue_numerator,
    counted.late_incl_overdue_denominator,
    {{ safe_ratio('counted.late_incl_overdue_numerator', 'counted.late_incl_overdue_denominator') }}
        as late_rate_incl_overdue,
    periods.previous_period_id,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from counted
join periods using (period_id)
