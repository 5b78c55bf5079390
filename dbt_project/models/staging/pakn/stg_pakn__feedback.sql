{{ config(
    materialized='incremental', unique_key='feedback_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['feedback_id'], 'unique': True}, {'columns': ['source_batch_id']}]
) }}
-- The latest version of each feedback record, renamed and typed. The title, body, sender's name and phone
-- are personal data (citizens' own words) and stop here; the phone survives only as a keyed hash, to
-- recognise the same sender coming back (re-petition) without knowing who it is.
-- Incremental: a night re-reads only the versions of the feedback that new raw batches touched.
with {{ latest_versions(source('pakn', 'pakn_feedback'), ['mapakn'],
                        'raw_rows.ngaycapnhat desc, raw_rows._batch_id desc, raw_rows._source_row desc') }},

renamed as (

    select
        mapakn as feedback_id,
        madonvixuly as agency_id,
        matthc as procedure_id,
        {{ pii_hash('dienthoainguoigui') }} as sender_key,
        kenhtiepnhan as channel,
        loaipakn as feedback_type,
        trangthai as status,
        danhgia as rating,
        coalesce(congkhai, false) as is_published,
        ngaytiepnhan as received_at,
        hanxuly as deadline_at,
        ngaytraloi as answered_at,
        ngaycapnhat as source_updated_at,
        _batch_id as batch_id,
        {{ raw_watermark() }} as source_batch_id
    from source

)

select * from renamed
