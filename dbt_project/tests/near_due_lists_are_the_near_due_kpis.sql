-- The early-warning lists (fct_near_due_cases) are the rows behind the KPIs cases_near_due and
-- cases_overdue_open of the data date's month: per agency, the same counts (rows returned = disagreements).
with listed as (

    select period_id, agency_id,
           count(*) filter (where warning = 'near_due') as near_due,
           count(*) filter (where warning = 'overdue') as overdue
    from {{ ref('fct_near_due_cases') }}
    group by period_id, agency_id

),

counted as (

    select period_id, agency_id,
           coalesce(max(value) filter (where kpi_id = 'cases_near_due'), 0) as near_due,
           coalesce(max(value) filter (where kpi_id = 'cases_overdue_open'), 0) as overdue
    from {{ ref('kpi_values') }}
    where scope = 'agency' and kpi_id in ('cases_near_due', 'cases_overdue_open')
      and period_id in (select period_id from {{ ref('fct_near_due_cases') }})
    group by period_id, agency_id

)

select coalesce(listed.agency_id, counted.agency_id) as agency_id, listed.near_due, counted.near_due as kpi_near_due,
       listed.overdue, counted.overdue as kpi_overdue
from listed
full join counted using (period_id, agency_id)
where coalesce(listed.near_due, 0) <> coalesce(counted.near_due, 0)
   or coalesce(listed.overdue, 0) <> coalesce(counted.overdue, 0)
