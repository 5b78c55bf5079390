-- Reports arrive by their deadline.
-- kind: report_late
-- severity: warning
select agency_id, period_id, count(*) as rows_affected,
       array_agg(report_type || ' ' || days_late || ' days late' order by report_type) as example_keys
from {batch}
where filing_status = 'late'
group by 1, 2
