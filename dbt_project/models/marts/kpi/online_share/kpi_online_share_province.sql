{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- The province's online delivery per field x reporting period: kpi_online_share's counts added up over the
-- agencies (each moment of a case counts at exactly one agency, so the sum is the province).
with counted as (

    select
        period_id, field_id,
        sum(received)::int as received,
        sum(received_online)::int as received_online,
        sum(received_fully_online)::int as received_fully_online,
        sum(received_with_fee)::int as received_with_fee,
        sum(received_paid_online)::int as received_paid_online,
        sum(received_synced)::int as received_synced,
        sum(resolved)::int as resolved,
        sum(resolved_online)::int as resolved_online,
        sum(resolved_with_electronic_result)::int as resolved_with_electronic_result,
        sum(resolved_digitised)::int as resolved_digitised
    from {{ ref('kpi_online_share') }}
    where period_id in {{ periods_rebuilt_in(ref('kpi_online_share'), ['month', 'six_months', 'year']) }}
    group by period_id, field_id

),

periods as (

    select * from {{ ref('int_periods_measured') }}

)

select
    counted.*,
    periods.period_kind,
    periods.is_period_open,
    periods.previous_period_id,
    {{ safe_ratio('counted.received_online', 'counted.received') }} as online_submission_share,
    {{ safe_ratio('counted.received_fully_online', 'counted.received') }} as fully_online_share,
    {{ safe_ratio('counted.received_paid_online', 'counted.received_with_fee') }} as online_payment_share,
    {{ safe_ratio('counted.resolved_with_electronic_result', 'counted.resolved') }} as electronic_result_share,
    {{ safe_ratio('counted.resolved_digitised', 'counted.resolved') }} as digitisation_rate,
    {{ safe_ratio('counted.resolved_online', 'counted.resolved') }} as resolved_online_share,
    {{ safe_ratio('counted.received_synced', 'counted.received') }} as national_sync_share,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from counted
join periods using (period_id)
