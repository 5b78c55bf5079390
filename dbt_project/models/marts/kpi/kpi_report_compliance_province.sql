-- Report compliance per report type x period for the province: agencies that filed by the deadline /
-- agencies required (reports whose deadline has not passed yet are left out of both).
with required as (

    {{ report_compliance_requirements() }}

),

counted as (

    select
        period_id,
        period_kind,
        year,
        previous_period_id,
        report_type,
        count(*) filter (where filing_status <> 'not_yet_due')::int as required,
        count(*) filter (where filing_status = 'on_time')::int as filed_on_time,
        count(*) filter (where filing_status = 'late')::int as filed_late,
        count(*) filter (where filing_status = 'missing')::int as missing,
        count(*) filter (where filing_status = 'not_yet_due')::int as not_yet_due
    from required
    group by period_id, period_kind, year, previous_period_id, report_type

),

final as (

    select
        counted.*,
        {{ safe_ratio('counted.filed_on_time', 'counted.required') }} as report_compliance_rate,
        target.target_operator as report_compliance_rate_target_operator,
        target.target_value as report_compliance_rate_target
    from counted
    {{ kpi_target_join('report_compliance_rate', 'counted.year', 'target') }}

)

select
    final.period_id,
    final.period_kind,
    final.report_type,
    final.required,
    final.filed_on_time,
    final.filed_late,
    final.missing,
    final.not_yet_due,
    final.report_compliance_rate,
    final.report_compliance_rate_target_operator,
    final.report_compliance_rate_target,
    {{ is_target_met('final.report_compliance_rate', 'final.report_compliance_rate_target_operator',
                     'final.report_compliance_rate_target') }} as is_report_compliance_rate_target_met,
    previous.report_compliance_rate as previous_report_compliance_rate
from final
left join final as previous
  on previous.period_id = final.previous_period_id and previous.report_type = final.report_type
