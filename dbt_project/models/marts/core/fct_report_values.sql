-- Indicator values of agencies' reports, from each agency's latest submission for a report and period
-- (a corrected workbook replaces the earlier one).
select
    v.agency_id,
    v.report_type,
    v.period_id,
    v.indicator_id,
    indicators.indicator_name,
    coalesce(indicators.unit, v.unit) as unit,
    v.value,
    v.submission_id,
    s.submitted_at,
    {{ province_code() }} as province_code
from {{ ref('stg_baocao__report_values') }} as v
join {{ ref('fct_report_submissions') }} as s on s.submission_id = v.submission_id and s.is_latest_submission
left join {{ ref('stg_baocao__indicators') }} as indicators using (indicator_id)
