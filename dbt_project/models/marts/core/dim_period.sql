-- Reporting periods (Nghị định 09/2019: 15th of the previous month to the 14th; six months 15/12-14/6;
-- year 15/12-14/12) and, clearly marked, the calendar views used by the 766 scorecard.
select
    period_id,
    period_kind,
    year,
    label_vi,
    period_kind like 'calendar_%' as is_calendar_view,
    lag(period_id) over (partition by period_kind order by start_date) as previous_period_id,
    start_date,
    end_date,
    basis
from {{ ref('ref_reporting_periods') }}
