{{ config(materialized='table', pre_hook='set local enable_nestloop = off') }}
-- (No nested loops: the validity ranges of agencies and requirements make the planner expect one required report
-- where there are thousands, and it then read the filings once per report, seconds on a long history; the hash
-- joins take milliseconds.)
-- Every periodic report an agency must file (ref_report_requirements: which kind of agency files which report
-- for which kind of period, due how many working (or calendar) days after the cut-off), for the six-month and
-- annual periods that are over, with what happened: filed on time, late, not at all (missing), or not due yet.
-- Filed = the earliest of the office's register entry (stg_baocao__register) and the first receipt of a workbook
-- (fct_report_submissions: the reporting system's NgayNop, else the warehouse's ledger), never a file's mtime.
-- "n working days after the cut-off" is the n-th working day after it (cut-off Saturday 14/6/2025, 2 working
-- days: Tuesday 17/6).
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_kind in ('six_months', 'year') and not is_period_open

),

as_of as (

    select {{ local_date('as_of_at') }} as as_of_date from {{ ref('int_data_as_of') }}

),

required as (

    select
        periods.period_id,
        periods.period_kind,
        periods.year,
        periods.previous_period_id,
        periods.cutoff_date,
        requirements.report_type,
        agencies.agency_id,
        case requirements.deadline_unit
            when 'working_days'
                then deadline_day.calendar_date
            else periods.cutoff_date + requirements.deadline_days
        end as deadline_date
    from periods
    join {{ ref('ref_report_requirements') }} as requirements
      on requirements.period_kind = case periods.period_kind when 'six_months' then '6T' else 'NAM' end
     and requirements.valid_from <= periods.cutoff_date
     and (requirements.valid_to is null or periods.cutoff_date < requirements.valid_to)
    join {{ ref('dim_agency') }} as agencies
      on agencies.agency_kind = requirements.agency_kind
     and agencies.valid_from <= periods.cutoff_date
     and (agencies.valid_to is null or periods.cutoff_date < agencies.valid_to)
    {{ join_working_days_after('deadline_day', 'periods.cutoff_date + 1', 'requirements.deadline_days - 1') }}

),

filings as (

    select agency_id, report_type, period_id, submitted_at as filed_at, 'ledger' as filing_evidence, submission_id
    from {{ ref('fct_report_submissions') }}
    where is_first_submission
    union all
    select agency_id, report_type, period_id, arrived_at, 'register', null
    from {{ ref('stg_baocao__register') }}

),

submitted as (

    -- the earliest filing, and the workbook received for the same report whichever came first
    select distinct on (agency_id, report_type, period_id)
        agency_id,
        report_type,
        period_id,
        {{ local_date('filed_at') }} as filed_date,
        filing_evidence,
        max(submission_id) over (partition by agency_id, report_type, period_id) as submission_id
    from filings
    order by agency_id, report_type, period_id, filed_at, filing_evidence

)

select
    required.*,
    submitted.submission_id,
    submitted.filed_date as submitted_date,
    submitted.filing_evidence,
    case
        when submitted.filed_date <= required.deadline_date then 'on_time'
        when submitted.filed_date is not null then 'late'
        when required.deadline_date < as_of.as_of_date then 'missing'
        else 'not_yet_due'
    end as filing_status,
    submitted.filed_date is not null or required.deadline_date < as_of.as_of_date as is_judged,
    case when submitted.filed_date is not null
         then greatest(submitted.filed_date - required.deadline_date, 0) end as days_late
from required
cross join as_of
left join submitted
  on submitted.agency_id = required.agency_id
 and submitted.report_type = required.report_type
 and submitted.period_id = required.period_id
