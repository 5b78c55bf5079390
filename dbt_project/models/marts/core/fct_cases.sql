{{ config(
    materialized='incremental', unique_key='case_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['case_id'], 'unique': True}, {'columns': ['received_at']}, {'columns': ['ended_at']},
             {'columns': ['source_batch_id']}]
) }}
-- depends_on: {{ ref('stg_motcua__cases') }}, {{ ref('stg_motcua__case_events') }}
-- One row per case (latest version), classified: the fact table behind every case KPI. No personal data:
-- the applicant appears only as a keyed hash. Incremental: each night merges the cases that changed.
select
    cases.*,
    coalesce(procedures.is_land_procedure, false) as is_land_case,
    {{ raw_watermark() }} as source_batch_id
from {{ ref('int_cases_classified') }} as cases
left join {{ ref('dim_procedure') }} as procedures using (procedure_id)
{%- if is_incremental() %}
where cases.case_id in {{ changed_case_ids(model_watermark()) }}
{%- endif %}
