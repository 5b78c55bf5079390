-- Reporting periods (Nghị định 09/2019: 15th of the previous month to the 14th; six months 15/12-14/6;
-- year 15/12-14/12) and, clearly marked, the calendar views used by the 766 scorecard; with the two periods a
-- period is compared with: the previous one of its kind (kỳ trước) and the same one a year before (cùng kỳ năm
-- trước).
with periods as (

    select * from {{ ref('ref_reporting_periods') }}

)

select
    periods.period_id,
    periods.period_kind,
    periods.year,
    periods.label_vi,
    periods.period_kind like 'calendar_%' as is_calendar_view,
    lag(periods.period_id) over (partition by periods.period_kind order by periods.start_date) as previous_period_id,
    year_before.period_id as year_before_period_id,
    periods.start_date,
    periods.end_date,
    periods.basis,
    {{ province_code() }} as province_code
from periods
left join periods as year_before
  on year_before.period_kind = periods.period_kind
 and year_before.start_date = (periods.start_date - interval '1 year')::date
