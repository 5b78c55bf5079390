{{ config(
    materialized='incremental', unique_key='case_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['case_id', 'occurred_at', 'event_type'], 'unique': True}, {'columns': ['source_batch_id']}]
) }}
-- Case events, one row per distinct event (the same event delivered twice counts once). A unique index on the
-- event's natural key (event_id is its hash) enforces that grain, so a build writing an event twice fails there;
-- it also serves the lookups by case, and no test groups the year's six million hashes again to check it.
-- GhiChu is a clerk's free text and may name people: it is dropped here.
-- Incremental: a night re-reads all events of the cases that new raw batches touched.
with {{ latest_versions(source('motcua', 'motcua_events'), key=['mahoso'], record=['mahoso', 'thoidiem', 'loaisukien'],
                        order_by='raw_rows._batch_id desc, raw_rows._source_row desc') }},

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
