{{ config(
    materialized='incremental', unique_key='feedback_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['feedback_id'], 'unique': True}, {'columns': ['source_batch_id']}]
) }}
-- One row per citizen feedback (PAKN), latest version, with how its handling went. No citizen text and no
-- sender identity: only a keyed hash of the sender's phone (to count repeat petitions).
-- Incremental: each night merges the feedback that changed.
with feedback as (

    select * from {{ ref('stg_pakn__feedback') }}
    {%- if is_incremental() %}
    where source_batch_id > {{ model_watermark() }}
    {%- endif %}

)

select
    feedback_id,
    agency_id,
    procedure_id,
    sender_key,
    channel,
    feedback_type,
    status,
    rating,
    status in ('CHUYEN_DON_VI_KHAC', 'KHONG_THUOC_THAM_QUYEN') as is_passed_on,
    answered_at is not null as is_answered,
    answered_at is not null and {{ local_date('answered_at') }} <= {{ local_date('deadline_at') }} as is_answered_on_time,
    is_published,
    coalesce(rating = 'KHONG_HAI_LONG', false) as is_rated_unsatisfied,
    {{ local_date('received_at') }} as received_date,
    {{ local_date('deadline_at') }} as deadline_date,
    {{ local_date('answered_at') }} as answered_date,
    received_at,
    deadline_at,
    answered_at,
    source_updated_at,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from feedback
