-- The early warning (sắp trễ hạn), rebuilt every night: per agency, the cases open at the data date whose due
-- date in force falls within the next N working days (ref_early_warning, near_due) or has passed (overdue),
-- with what a clerk needs to act on them and nothing personal. They are the rows behind the KPIs
-- cases_near_due and cases_overdue_open of the statistical month of the data date (a dbt test says so).
with as_of as (

    select {{ local_date('as_of_at') }} as as_of_date from {{ ref('int_data_as_of') }}

),

month as (

    -- the statistical month the data date is in (15th of the month before to the 14th)
    select periods.period_id
    from {{ ref('int_periods_measured') }} as periods
    cross join as_of
    where periods.period_kind = 'month' and as_of.as_of_date between periods.start_date and periods.cutoff_date

),

states as (

    select *
    from {{ ref('int_case_period_states') }}
    where period_id = (select period_id from month)
      and is_open_at_end and (is_near_due_at_end or not is_within_due_at_end)

)

select
    states.period_id,
    states.agency_id,
    states.case_id,
    case when states.is_near_due_at_end then 'near_due' else 'overdue' end as warning,
    states.procedure_id,
    procedures.procedure_name,
    states.field_id,
    procedures.field_name,
    cases.channel,
    cases.received_date,
    states.due_date_at_end as due_date,
    -- working days from the data date to the due date: 0 = due today, negative = that many working days late
    {{ working_days_between('as_of_day', 'due_day') }} as working_days_left,
    -- a supplement asked for and not yet back (after an unlawful request the old due date still runs)
    coalesce(cases.first_request_at is not null and cases.first_completed_at is null, false)
        as is_waiting_for_citizen,
    as_of.as_of_date,
    {{ province_code() }} as province_code
from states
cross join as_of
join {{ ref('fct_cases') }} as cases using (case_id)
left join {{ ref('dim_procedure') }} as procedures on procedures.procedure_id = states.procedure_id
{{ join_calendar_day('as_of_day', 'as_of.as_of_date') }}
{{ join_calendar_day('due_day', 'states.due_date_at_end') }}
