-- Every commune-level unit and department in force for a whole six-month period has cases in it.
-- kind: agency_without_cases
-- severity: warning
select agencies.agency_id, periods.period_id, 1 as rows_affected, array[agencies.agency_name] as example_keys
from marts.dim_period as periods
join marts.dim_agency as agencies
  on agencies.agency_level in ('commune', 'department')
 and agencies.valid_from <= periods.start_date
 and (agencies.valid_to is null or agencies.valid_to > periods.end_date)
where periods.period_kind = 'six_months'
  and periods.period_id in (select period_id from {batch} where not is_period_open)
  and not exists (select 1 from (select * from {batch}) as k
                  where k.period_id = periods.period_id and k.agency_id = agencies.agency_id)
