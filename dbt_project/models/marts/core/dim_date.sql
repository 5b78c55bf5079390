-- One row per day 2019-2027: working day or not (with the holiday's name), and the reporting periods
-- the day falls in, so an analyst can group any dated fact by the official periods.
with days as (

    select * from {{ ref('int_calendar_days') }}

),

periods as (

    select * from {{ ref('ref_reporting_periods') }}

)

select
    days.calendar_date,
    extract(isodow from days.calendar_date)::int as iso_weekday,
    days.is_working_day,
    days.exception_kind,
    days.holiday_name,
    days.working_days_to_date,
    (select p.period_id from periods as p where p.period_kind = 'month'
       and days.calendar_date between p.start_date and p.end_date) as month_period_id,
    (select p.period_id from periods as p where p.period_kind = 'six_months'
       and days.calendar_date between p.start_date and p.end_date) as six_month_period_id,
    (select p.period_id from periods as p where p.period_kind = 'year'
       and days.calendar_date between p.start_date and p.end_date) as year_period_id,
    {{ province_code() }} as province_code
from days
