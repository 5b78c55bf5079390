{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- The province's apology compliance per reporting period: kpi_apology_compliance's counts added up over the
-- agencies.
with counted as (

    select
        period_id,
        sum(late_resolved)::int as late_resolved,
        sum(overdue_in_progress)::int as overdue_in_progress,
        sum(became_late)::int as became_late,
        sum(became_late_with_apology)::int as became_late_with_apology,
        sum(became_late_with_timely_apology)::int as became_late_with_timely_apology,
        sum(became_late_apologised_again)::int as became_late_apologised_again,
        sum(resolved_after_apology_date)::int as resolved_after_apology_date
    from {{ ref('kpi_apology_compliance') }}
    where period_id in {{ periods_rebuilt_in(ref('kpi_apology_compliance'), ['month', 'six_months', 'year']) }}
    group by period_id

),

periods as (

    select * from {{ ref('int_periods_measured') }}

)

select
    counted.*,
    periods.period_kind,
    periods.is_period_open,
    periods.previous_period_id,
    {{ safe_ratio('counted.became_late_with_apology', 'counted.became_late') }} as apology_compliance_rate,
    {{ safe_ratio('counted.became_late_with_timely_apology', 'counted.became_late') }} as timely_apology_rate,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from counted
join periods using (period_id)
