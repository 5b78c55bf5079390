{{ config(materialized='table') }}
-- The periods the marts measure, clipped to the data's moment: a period not over yet is measured up to
-- int_data_as_of (`is_period_open`), so "in progress at the end" means "in progress now" for it.
-- Moments are local midnights (Asia/Ho_Chi_Minh) as timestamptz: a fact is in a period when
-- starts_at <= moment < ends_at, which is the same as its local date lying in [start_date, end_date].
with as_of as (

    select as_of_at, {{ local_date('as_of_at') }} as as_of_date from {{ ref('int_data_as_of') }}

)

select
    periods.period_id,
    periods.period_kind,
    periods.year,
    periods.previous_period_id,
    periods.year_before_period_id,
    periods.start_date,
    least(periods.end_date, as_of.as_of_date) as end_date,
    periods.end_date as cutoff_date,
    periods.end_date > as_of.as_of_date as is_period_open,
    (periods.start_date::timestamp at time zone 'Asia/Ho_Chi_Minh') as starts_at,
    least((periods.end_date + 1)::timestamp at time zone 'Asia/Ho_Chi_Minh', as_of.as_of_at + interval '1 microsecond')
        as ends_at
from {{ ref('dim_period') }} as periods
cross join as_of
where periods.start_date <= as_of.as_of_date
  and periods.end_date >= (select min(received_at)::date - 1 from {{ ref('stg_motcua__cases') }})
