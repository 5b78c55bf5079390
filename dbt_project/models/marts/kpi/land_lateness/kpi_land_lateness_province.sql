{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- The province's land-dossier lateness per reporting period: kpi_land_lateness's counts added up over the
-- agencies.
with counted as (

    select
        period_id,
        sum(land_resolved)::int as land_resolved,
        sum(land_resolved_late)::int as land_resolved_late,
        sum(land_received)::int as land_received,
        sum(land_in_progress_overdue)::int as land_in_progress_overdue,
        sum(land_late_incl_overdue_numerator)::int as land_late_incl_overdue_numerator,
        sum(land_late_incl_overdue_denominator)::int as land_late_incl_overdue_denominator
    from {{ ref('kpi_land_lateness') }}
    where period_id in {{ periods_rebuilt_in(ref('kpi_land_lateness'), ['month', 'six_months', 'year']) }}
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
    {{ safe_ratio('counted.land_late_incl_overdue_numerator', 'counted.land_late_incl_overdue_denominator') }}
        as land_late_rate_incl_overdue,
    {{ safe_ratio('counted.land_resolved_late', 'counted.land_resolved') }} as land_late_rate,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from counted
join periods using (period_id)
