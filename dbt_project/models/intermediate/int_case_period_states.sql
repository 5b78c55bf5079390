{{ config(materialized='table', indexes=[{'columns': ['period_id']}]) }}
-- Every case in every period it touches (month, six months, year), with where it stood: carried over into
-- the period, received in it, ended in it (and how), or still open at its end (within or past the due date
-- in force then), and which agency held it at each of those moments. The case KPIs count these rows.
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_kind in ('month', 'six_months', 'year')

),

cases as (

    select * from {{ ref('int_cases_classified') }}

),

spells as (

    select * from {{ ref('int_case_agency_spells') }}

),

touching as (

    select
        periods.period_id,
        periods.starts_at,
        periods.ends_at,
        periods.end_date,
        cases.*
    from periods
    join cases
      on cases.received_at < periods.ends_at
     and (cases.ended_at is null or cases.ended_at >= periods.starts_at)

)

select
    touching.period_id,
    touching.case_id,
    touching.field_id,
    touching.channel,
    touching.received_at < touching.starts_at as is_carried_over,
    at_start.agency_id as carried_over_agency_id,
    touching.received_at >= touching.starts_at as is_received,
    touching.receiving_agency_id,
    case when touching.ended_at < touching.ends_at then touching.outcome end as ended_outcome,
    case when touching.ended_at < touching.ends_at then touching.timeliness end as ended_timeliness,
    touching.ended_agency_id,
    touching.ended_at is null or touching.ended_at >= touching.ends_at as is_open_at_end,
    at_end.agency_id as open_agency_id,
    -- a case waiting for the citizen's supplement has no running deadline: it counts as within due
    waiting.case_id is not null
        or coalesce({{ local_date('due_at_end.due_at') }}, touching.judging_due_date) >= touching.end_date
        as is_within_due_at_end
from touching
left join spells as at_start
  on at_start.case_id = touching.case_id and at_start.valid_from_at < touching.starts_at
 and (at_start.valid_to_at is null or at_start.valid_to_at >= touching.starts_at)
left join spells as at_end
  on at_end.case_id = touching.case_id and at_end.valid_from_at < touching.ends_at
 and (at_end.valid_to_at is null or at_end.valid_to_at >= touching.ends_at)
left join {{ ref('int_case_due_history') }} as due_at_end
  on due_at_end.case_id = touching.case_id and due_at_end.valid_from_at < touching.ends_at
 and (due_at_end.valid_to_at is null or due_at_end.valid_to_at >= touching.ends_at)
left join lateral (
    select waits.case_id from {{ ref('int_case_supplement_waits') }} as waits
    where waits.case_id = touching.case_id and waits.requested_at < touching.ends_at
      and (waits.completed_at is null or waits.completed_at >= touching.ends_at)
    limit 1
) as waiting on true
