-- One row per required report: agency x report type (PCTN, TCD_KNTC, CCHC) x six-month or annual period,
-- with the deadline, the first submission and its status (on_time, late, missing, not_yet_due).
select
    period_id,
    period_kind,
    agency_id,
    report_type,
    filing_status,
    1 as required,
    is_judged::int as judged,
    (filing_status = 'on_time')::int as filed_on_time,
    (filing_status = 'late')::int as filed_late,
    (filing_status = 'missing')::int as missing,
    days_late,
    submission_id,
    cutoff_date,
    deadline_date,
    submitted_date,
    filing_evidence,
    {{ province_code() }} as province_code
from {{ ref('int_required_reports') }}
