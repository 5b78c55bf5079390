{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- Online delivery per agency x field x reporting period: online submission, fully online, online payment,
-- resolved online (the 2022 plan's "hồ sơ giải quyết trực tuyến"), electronic results, digitisation and synchronisation to the national portal. Received measures count at
-- the receiving agency, resolved measures at the agency that ended the case. Targets, previous periods and
-- changes of these KPIs: kpi_values.
{%- set rebuilt = periods_rebuilt_in(ref('int_case_period_states'), ['month', 'six_months', 'year']) %}
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_id in {{ rebuilt }}

),

counted as (

    select
        period_id,
        agency_id,
        field_id,
        count(*) filter (where is_received)::int as received,
        count(*) filter (where is_received and channel = 'online')::int as received_online,
        count(*) filter (where is_received and online_service_level = 'TOAN_TRINH')::int as received_fully_online,
        count(*) filter (where is_received and has_fee)::int as received_with_fee,
        count(*) filter (where is_received and has_fee and is_paid_online)::int as received_paid_online,
        count(*) filter (where is_received and is_synced_national)::int as received_synced,
        count(*) filter (where ended_outcome = 'resolved')::int as resolved,
        count(*) filter (where ended_outcome = 'resolved' and channel = 'online')::int as resolved_online,
        count(*) filter (where ended_outcome = 'resolved' and has_electronic_result)::int
            as resolved_with_electronic_result,
        count(*) filter (where ended_outcome = 'resolved' and is_digitised)::int as resolved_digitised
    from {{ ref('int_case_period_states') }}
    where period_id in {{ rebuilt }}
      and (is_received or ended_outcome = 'resolved')
    group by period_id, agency_id, field_id

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
    {{ safe_ratio('counted.received_synced', 'counted.received') }} as national_sync_share,
    {{ safe_ratio('counted.resolved_online', 'counted.resolved') }} as resolved_online_share,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from counted
join periods using (period_id)
