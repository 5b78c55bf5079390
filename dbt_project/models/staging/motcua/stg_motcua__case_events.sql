{{ config(
    materialized='incremental', unique_key='case_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['case_id']}, {'columns': ['source_batch_id']}]
) }}
-- Case events, one row per distinct event (the same event delivered twice counts once).
-- GhiChu is a clerk's free text and may name people: it is dropped here.
-- Incremental: a night re-reads all events of the cases that new raw batches touched.
with changed as materialized (

    -- keys that new raw batches touched (a small set, found through the _batch_id index)
    select distinct mahoso from {{ source('motcua', 'motcua_events') }}
    {%- if is_incremental() %}
    where _batch_id > {{ model_watermark() }}
    {%- endif %}

),

source as (

    select distinct on (mahoso, thoidiem, loaisukien) raw_rows.*
    from {{ source('motcua', 'motcua_events') }} as raw_rows
    join changed using (mahoso)
    where raw_rows._batch_id in (select batch_id from {{ source('audit', 'batches') }} where status = 'loaded')
    order by raw_rows.mahoso, raw_rows.thoidiem, raw_rows.loaisukien, raw_rows._batch_id desc, raw_rows._source_row desc

),

renamed as (

    select
        {{ dbt.hash("mahoso || '|' || thoidiem::text || '|' || loaisukien") }} as event_id,
        mahoso as case_id,
        madonvi as agency_id,
        loaisukien as event_type,
        ngayhentramoi as new_due_at,
        thoidiem as occurred_at,
        _batch_id as batch_id,
        {{ raw_watermark() }} as source_batch_id
    from source

)

select * from renamed
