{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- Apology compliance per agency x reporting period: late resolved cases with an apology letter / late
-- resolved cases (target 100%), and how many apologies came at least one day before the due date (Nghị định
-- 118/2025 Art. 12.5). A case counts at the agency that ended it. Targets, previous periods and changes:
-- kpi_values.
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_id in {{ periods_rebuilt_in(ref('int_case_period_states'), ['month', 'six_months', 'year']) }}

),

counted as (

    select
        period_id,
        agency_id,
        count(*)::int as late_resolved,
        count(*) filter (where has_apology)::int as late_resolved_with_apology,
        count(*) filter (where apology_date < judging_due_date)::int as late_resolved_with_timely_apology
    from {{ ref('int_case_period_states') }}
    where period_id in (select period_id from periods)
      and ended_timeliness = 'late'
    group by period_id, agency_id

)

select
    counted.*,
    periods.period_kind,
    periods.is_period_open,
    periods.previous_period_id,
    {{ safe_ratio('counted.late_resolved_with_apology', 'counted.late_resolved') }} as apology_compliance_rate,
    {{ safe_ratio('counted.late_resolved_with_timely_apology', 'counted.late_resolved') }} as timely_apology_rate,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id
from counted
join periods using (period_id)
