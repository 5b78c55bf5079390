-- One row per report workbook received (a submission): which agency filed which report for which period,
-- when it was made and when it arrived, and whether it is the agency's latest for that report and period.
with values as (

    select * from {{ ref('stg_baocao__report_values') }}

),

submissions as (

    select
        submission_id,
        agency_id,
        report_type,
        period_id,
        min(made_on_date) as made_on_date,
        min(submitted_at) as submitted_at,
        count(*) as indicator_count
    from values
    group by submission_id, agency_id, report_type, period_id

)

select
    submission_id,
    agency_id,
    report_type,
    period_id,
    indicator_count,
    row_number() over (partition by agency_id, report_type, period_id order by submitted_at, submission_id) = 1
        as is_first_submission,
    row_number() over (partition by agency_id, report_type, period_id
                       order by submitted_at desc, submission_id desc) = 1 as is_latest_submission,
    made_on_date,
    {{ local_date('submitted_at') }} as submitted_date,
    submitted_at,
    {{ province_code() }} as province_code
from submissions
