{{ config(materialized='table') }}
-- The periods the marts measure, clipped to the data's moment: a period not over yet is measured up to
-- int_data_as_of (`is_period_open`), so "in progress at the end" means "in progress now" for it.
-- Moments are local midnights (Asia/Ho_Chi_Minh) as timestamptz: a fact is in a period when
-- starts_at <= moment < ends_at, which is the same as its local date lying in [start_date, end_date].
-- near_due_until_date: the last due date that makes a case open at the period's end near due (ref_early_warning).
with as_of as (

    select as_of_at, {{ local_date('as_of_at') }} as as_of_date from {{ ref('int_data_as_of') }}

),

near_due as (

    select value as working_days from {{ ref('ref_early_warning') }} where parameter = 'near_due_working_days'

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
        as ends_at,
    -- an open case due by this day is near due at the period's end (sắp trễ hạn): the N-th working day after it
    near_due_until.calendar_date as near_due_until_date
from {{ ref('dim_period') }} as periods
cross join as_of
cross join near_due
{{ join_working_days_after('near_due_until', 'least(periods.end_date, as_of.as_of_date) + 1', 'near_due.working_days - 1') }}
where periods.start_date <= as_of.as_of_date
  and periods.end_date >= (select min(received_at)::date - 1 from {{ ref('stg_motcua__cases') }})
