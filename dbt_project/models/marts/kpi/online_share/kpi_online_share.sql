{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- Online delivery per agency x field x reporting period: online submission, fully online, online payment,
-- resolved online (the 2022 plan's "hồ sơ giải quyết trực tuyến"), electronic results, digitisation and synchronisation to the national portal. Received measures count at
-- the receiving agency, resolved measures at the agency that ended the case. Targets, previous periods and
-- changes of these KPIs: kpi_values. A six months or a year is the sum of its months (macro summed_into_parents).
{%- set rebuilt = periods_rebuilt_in(ref('int_case_period_states'), ['month', 'six_months', 'year']) %}
with {{ months_and_parents(rebuilt) }},

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
    where period_id in (select period_id from months)
      and (is_received or ended_outcome = 'resolved')
    group by period_id, agency_id, field_id

),

{{ summed_into_parents(['agency_id', 'field_id'], in_period=[
    'received', 'received_online', 'received_fully_online', 'received_with_fee', 'received_paid_online',
    'received_synced', 'resolved', 'resolved_online', 'resolved_with_electronic_result', 'resolved_digitised']) }}

select
    all_counted.*,
    periods.period_kind,
    periods.is_period_open,
    periods.previous_period_id,
    {{ safe_ratio('all_counted.received_online', 'all_counted.received') }} as online_submission_share,
    {{ safe_ratio('all_counted.received_fully_online', 'all_counted.received') }} as fully_online_share,
    {{ safe_ratio('all_counted.received_paid_online', 'all_counted.received_with_fee') }} as online_payment_share,
    {{ safe_ratio('all_counted.resolved_with_electronic_result', 'all_counted.resolved') }} as electronic_result_share,
    {{ safe_ratio('all_counted.resolved_digitised', 'all_counted.resolved') }} as digitisation_rate,
    {{ safe_ratio('all_counted.received_synced', 'all_counted.received') }} as national_sync_share,
    {{ safe_ratio('all_counted.resolved_online', 'all_counted.resolved') }} as resolved_online_share,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from all_counted
join periods using (period_id)
