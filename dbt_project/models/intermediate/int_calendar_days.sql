{{ config(materialized='table', indexes=[{'columns': ['calendar_date'], 'unique': True},
                                          {'columns': ['working_days_to_date']}]) }}
-- One row per day of the calendar range: working or not (Mon-Fri, minus the seed's days off, plus its
-- make-up Saturdays), and a running count of working days that turns working-day arithmetic into
-- subtraction (see the add_working_days macro).
with days as (

    select day::date as calendar_date
    from generate_series('{{ var("calendar_start") }}'::date, '{{ var("calendar_end") }}'::date,
                         interval '1 day') as day

),

flagged as (

    select
        days.calendar_date,
        exceptions.kind as exception_kind,
        exceptions.name_vi as holiday_name,
        coalesce(exceptions.is_working_day, extract(isodow from days.calendar_date) < 6) as is_working_day
    from days
    left join {{ ref('ref_calendar_exceptions') }} as exceptions using (calendar_date)

)

select
    calendar_date,
    exception_kind,
    holiday_name,
    is_working_day,
    count(*) filter (where is_working_day) over (order by calendar_date) as working_days_to_date,
    -- the running count of the first working day on or after this day
    count(*) filter (where is_working_day) over (order by calendar_date)
        + case when is_working_day then 0 else 1 end as next_working_day_number
from flagged
