{{ config(
    materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['period_id']}, {'columns': ['case_id']}]
) }}
-- Every case in every period it touches (month, six months, year), with where it stood: carried over into
-- the period, received in it, ended in it (and how), or still open at its end (within or past the due date
-- in force then), and which agency held it at each of those moments. The case KPIs count these rows.
-- Incremental: only the periods a change can reach are rebuilt (macro periods_to_refresh), whole.
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_id in {{ periods_to_refresh(['month', 'six_months', 'year'], model_watermark()) }}

),

cases as (

    -- only cases still open at, or ended after, the start of the earliest period rebuilt (an index scan)
    select * from {{ ref('fct_cases') }}
    where coalesce(ended_at, 'infinity'::timestamptz) >= (select min(starts_at) from periods)

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

),

open_flags as (

    select
        touching.*,
        touching.ended_at is null or touching.ended_at >= touching.ends_at as is_open_at_end
    from touching

)

select
    open_flags.period_id,
    open_flags.case_id,
    open_flags.field_id,
    open_flags.channel,
    open_flags.received_at < open_flags.starts_at as is_carried_over,
    at_start.agency_id as carried_over_agency_id,
    open_flags.received_at >= open_flags.starts_at as is_received,
    open_flags.receiving_agency_id,
    case when open_flags.ended_at < open_flags.ends_at then open_flags.outcome end as ended_outcome,
    case when open_flags.ended_at < open_flags.ends_at then open_flags.timeliness end as ended_timeliness,
    open_flags.ended_agency_id,
    open_flags.is_open_at_end,
    at_end.agency_id as open_agency_id,
    -- for cases still open at the end: the due date in force then (set on receipt or by the last completed
    -- supplement before the end), and whether the case waits for the citizen's supplement (no running
    -- deadline: it counts as within due)
    case when open_flags.is_open_at_end then
        coalesce(
            (select w.event_type = 'YEU_CAU_BO_SUNG' from {{ ref('stg_motcua__case_events') }} as w
             where w.case_id = open_flags.case_id and w.event_type in ('YEU_CAU_BO_SUNG', 'NHAN_BO_SUNG')
               and w.occurred_at < open_flags.ends_at
             order by w.occurred_at desc limit 1), false)
        or coalesce(
            (select {{ local_date('d.new_due_at') }} from {{ ref('stg_motcua__case_events') }} as d
             where d.case_id = open_flags.case_id and d.event_type in ('TIEP_NHAN', 'NHAN_BO_SUNG')
               and d.occurred_at < open_flags.ends_at and d.new_due_at is not null
             order by d.occurred_at desc limit 1),
            open_flags.judging_due_date) >= open_flags.end_date
    end as is_within_due_at_end,
    {{ raw_watermark() }} as source_batch_id
from open_flags
left join spells as at_start
  on at_start.case_id = open_flags.case_id and at_start.valid_from_at < open_flags.starts_at
 and (at_start.valid_to_at is null or at_start.valid_to_at >= open_flags.starts_at)
left join spells as at_end
  on at_end.case_id = open_flags.case_id and at_end.valid_from_at < open_flags.ends_at
 and (at_end.valid_to_at is null or at_end.valid_to_at >= open_flags.ends_at)
