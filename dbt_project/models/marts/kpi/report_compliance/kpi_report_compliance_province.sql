-- Report compliance per report type x period for the province: agencies that filed by the deadline /
-- agencies whose report is judged (filed, or its deadline has passed; a report not due yet and not filed is
-- left out of both).
-- Targets, previous periods and changes: kpi_values.
with counted as (

    select
        period_id,
        period_kind,
        report_type,
        count(*)::int as required,
        count(*) filter (where is_judged)::int as judged,
        count(*) filter (where filing_status = 'on_time')::int as filed_on_time,
        count(*) filter (where filing_status = 'late')::int as filed_late,
        count(*) filter (where filing_status = 'missing')::int as missing,
        count(*) filter (where filing_status = 'not_yet_due')::int as not_yet_due
    from {{ ref('int_required_reports') }}
    group by period_id, period_kind, report_type

)

select
    counted.*,
    {{ safe_ratio('counted.filed_on_time', 'counted.judged') }} as report_compliance_rate,
    {{ province_code() }} as province_code
from counted
