-- Every periodic report an agency must file (ref_report_requirements: which kind of agency files which report
-- for which kind of period, due how many working (or calendar) days after the cut-off), for the six-month and
-- annual periods that are over, with what happened: filed on time, late, not at all (missing), or not due yet.
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
                then {{ add_working_days('periods.cutoff_date + 1', 'requirements.deadline_days - 1') }}
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

)

select
    required.*,
    submissions.submission_id,
    submissions.submitted_date,
    case
        when submissions.submitted_date <= required.deadline_date then 'on_time'
        when submissions.submitted_date is not null then 'late'
        when required.deadline_date < as_of.as_of_date then 'missing'
        else 'not_yet_due'
    end as filing_status,
    submissions.submitted_date is not null or required.deadline_date < as_of.as_of_date as is_judged,
    case when submissions.submitted_date is not null
         then greatest(submissions.submitted_date - required.deadline_date, 0) end as days_late
from required
cross join as_of
left join {{ ref('fct_report_submissions') }} as submissions
  on submissions.agency_id = required.agency_id
 and submissions.report_type = required.report_type
 and submissions.period_id = required.period_id
 and submissions.is_first_submission
