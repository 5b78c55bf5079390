-- Case status per agency x field x channel x reporting period: the standard one-stop-shop statistics table
-- (Biểu 06/VPCP/KSTT columns) plus the on-time rate and the late rate including overdue cases in progress.
-- Each case counts at the agency that held it at the moment measured (receipt, period start, end of the
-- case, period end); cases moved between agencies inside a period appear as transferred_in/_out, so for every
-- row: carried_over + received + transferred_in = resolved + returned + in_progress + transferred_out.
with as_of as (

    -- the moment the data describes: the latest change the source has sent
    select max(source_updated_at) as as_of_at from {{ ref('fct_cases') }}

),

periods as (

    -- a period not over yet is measured up to the data's moment (as_of_at), not at its future end
    select
        period_id,
        period_kind,
        year,
        start_date,
        least(end_date, {{ local_date('as_of.as_of_at') }}) as end_date,
        end_date > {{ local_date('as_of.as_of_at') }} as is_period_open,
        (start_date::timestamp at time zone 'Asia/Ho_Chi_Minh') as starts_at,
        least((end_date + 1)::timestamp at time zone 'Asia/Ho_Chi_Minh', as_of.as_of_at + interval '1 microsecond')
            as ends_at
    from {{ ref('dim_period') }}
    cross join as_of
    where period_kind in ('month', 'six_months', 'year')
      and start_date <= {{ local_date('as_of.as_of_at') }}
      and end_date >= (select min(received_date) from {{ ref('fct_cases') }})

),

cases as (

    select * from {{ ref('fct_cases') }}

),

spells as (

    select * from {{ ref('int_case_agency_spells') }}

),

open_at_end as (

    select
        periods.period_id,
        periods.end_date,
        cases.case_id,
        cases.field_id,
        cases.channel,
        coalesce(holder.agency_id, cases.current_agency_id) as agency_id,
        coalesce({{ local_date('due.due_at') }}, cases.judging_due_date) as due_date,
        exists (
            select 1 from {{ ref('int_case_supplement_waits') }} as waits
            where waits.case_id = cases.case_id and waits.requested_at < periods.ends_at
              and (waits.completed_at is null or waits.completed_at >= periods.ends_at)
        ) as is_waiting_for_citizen
    from periods
    join cases
      on cases.received_at < periods.ends_at
     and (cases.ended_at is null or cases.ended_at >= periods.ends_at)
    left join spells as holder
      on holder.case_id = cases.case_id and holder.valid_from_at < periods.ends_at
     and (holder.valid_to_at is null or holder.valid_to_at >= periods.ends_at)
    left join {{ ref('int_case_due_history') }} as due
      on due.case_id = cases.case_id and due.valid_from_at < periods.ends_at
     and (due.valid_to_at is null or due.valid_to_at >= periods.ends_at)

),

contributions as (

    -- carried over: received before the period, not ended when it starts
    select periods.period_id, cases.field_id, cases.channel,
           coalesce(holder.agency_id, cases.current_agency_id) as agency_id,
           1 as carried_over, 0 as received, 0 as received_online, 0 as received_direct, 0 as received_postal,
           0 as resolved_early, 0 as resolved_on_time, 0 as resolved_late, 0 as resolved_unjudged,
           0 as returned, 0 as withdrawn,
           0 as in_progress_within_due, 0 as in_progress_overdue, 0 as transferred_in, 0 as transferred_out
    from periods
    join cases
      on cases.received_at < periods.starts_at
     and (cases.ended_at is null or cases.ended_at >= periods.starts_at)
    left join spells as holder
      on holder.case_id = cases.case_id and holder.valid_from_at < periods.starts_at
     and (holder.valid_to_at is null or holder.valid_to_at >= periods.starts_at)

    union all

    -- received in the period, at the receiving agency
    select periods.period_id, cases.field_id, cases.channel, cases.receiving_agency_id,
           0, 1, (cases.channel = 'online')::int, (cases.channel = 'direct')::int, (cases.channel = 'postal')::int,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from periods
    join cases on cases.received_at >= periods.starts_at and cases.received_at < periods.ends_at

    union all

    -- ended in the period (resolved, returned, withdrawn), at the agency holding the case then
    select periods.period_id, cases.field_id, cases.channel,
           coalesce(holder.agency_id, cases.current_agency_id),
           0, 0, 0, 0, 0,
           (cases.timeliness = 'early')::int, (cases.timeliness = 'on_time')::int,
           (cases.timeliness = 'late')::int,
           -- resolved, but no due date could be found or derived (e.g. an unknown procedure): not judged
           (cases.outcome = 'resolved' and cases.timeliness is null)::int,
           (cases.outcome = 'returned')::int, (cases.outcome = 'withdrawn')::int,
           0, 0, 0, 0
    from periods
    join cases on cases.ended_at >= periods.starts_at and cases.ended_at < periods.ends_at
    left join spells as holder
      on holder.case_id = cases.case_id and holder.valid_from_at <= cases.ended_at
     and (holder.valid_to_at is null or holder.valid_to_at > cases.ended_at)

    union all

    -- still open at the period's end: within or past the due date in force then
    -- (a case waiting for the citizen's supplement has no running deadline: within due)
    select period_id, field_id, channel, agency_id,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
           (is_waiting_for_citizen or due_date >= end_date)::int,
           (not is_waiting_for_citizen and due_date < end_date)::int,
           0, 0
    from open_at_end

    union all

    -- moved between agencies during the period (the 2025 reorganisation): in at the new holder ...
    select periods.period_id, cases.field_id, cases.channel, spells.agency_id,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0
    from periods
    join spells on spells.previous_agency_id is not null
               and spells.valid_from_at >= periods.starts_at and spells.valid_from_at < periods.ends_at
    join cases on cases.case_id = spells.case_id

    union all

    -- ... and out at the previous one
    select periods.period_id, cases.field_id, cases.channel, spells.previous_agency_id,
           0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    from periods
    join spells on spells.previous_agency_id is not null
               and spells.valid_from_at >= periods.starts_at and spells.valid_from_at < periods.ends_at
    join cases on cases.case_id = spells.case_id

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
    counted.returned,
    counted.withdrawn,
    counted.transferred_out,
    counted.resolved_early + counted.resolved_on_time as on_time_numerator,
    counted.resolved - counted.resolved_unjudged as on_time_denominator,
    {{ safe_ratio('counted.resolved_early + counted.resolved_on_time', 'counted.resolved - counted.resolved_unjudged') }}
        as on_time_rate,
    counted.resolved_late + counted.in_progress_overdue as late_incl_overdue_numerator,
    counted.carried_over + counted.received + counted.transferred_in as late_incl_overdue_denominator,
    {{ safe_ratio('counted.resolved_late + counted.in_progress_overdue',
                  'counted.carried_over + counted.received + counted.transferred_in') }} as late_rate_incl_overdue,
    targets.target_operator as on_time_target_operator,
    targets.target_value as on_time_target,
    case
        when targets.target_value is null or counted.resolved - counted.resolved_unjudged = 0 then null
        else (counted.resolved_early + counted.resolved_on_time)::numeric
             / (counted.resolved - counted.resolved_unjudged) >= targets.target_value
    end as is_on_time_target_met,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date
from counted
join periods using (period_id)
left join targets on targets.year = periods.year
