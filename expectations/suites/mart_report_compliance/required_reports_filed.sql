-- Every agency files every required report (ref_report_requirements).
-- kind: report_missing
-- severity: warning
select agency_id, period_id, count(*) as rows_affected, array_agg(report_type order by report_type) as example_keys
from {batch}
where filing_status = 'missing'
group by 1, 2
