{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- Decision 766 indicators for the province x calendar period (int_scorecard_766_indicators computes them).
select
    period_id,
    period_kind,
    is_period_open,
    agency_id,
    group_id,
    indicator_id,
    indicator_name_vi,
    numerator,
    denominator,
    rate,
    max_points,
    points,
    scoring_rule,
    is_rule_verified,
    computable_from_sources,
    not_scored_reason_vi,
    period_start_date,
    measured_until_date,
    source_batch_id,
    {{ province_code() }} as province_code
from {{ ref('int_scorecard_766_indicators') }}
where scope = 'province'
{%- if is_incremental() %}
  and source_batch_id > {{ model_watermark() }}
{%- endif %}
