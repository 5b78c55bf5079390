{{ config(
    materialized='incremental', unique_key='case_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['case_id'], 'unique': True}, {'columns': ['received_at']},
             {'columns': ["(coalesce(ended_at, 'infinity'::timestamptz))"]}, {'columns': ['source_batch_id']}]
) }}
-- depends_on: {{ ref('stg_motcua__cases') }}, {{ ref('stg_motcua__case_events') }}, {{ ref('int_cases_classified') }}
-- One row per case (latest version), classified: the fact table behind every case KPI. No personal data:
-- the applicant appears only as a keyed hash. Incremental: each night merges the cases that changed.
-- (the classification is the macro behind int_cases_classified, applied here to the changed cases only)
with classified as (

    {{ classify_cases('case_id in ' ~ changed_case_ids(model_watermark()) if is_incremental() else 'true') }}

)

select
    classified.*,
    coalesce(procedures.is_land_procedure, false) as is_land_case,
    {{ raw_watermark() }} as source_batch_id
from classified
left join {{ ref('dim_procedure') }} as procedures using (procedure_id)
