{{ config(
    materialized='incremental', unique_key='case_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['case_id'], 'unique': True}, {'columns': ['source_batch_id']}]
) }}
-- The latest version of each case (by NgayCapNhat, then the later batch), renamed and typed.
-- Personal data (name, ID number, phone, address) stops here; only a keyed hash of the ID number remains.
-- A case delivered in the national portal's sync shape (dvcqg) carries the portal's status code, TrangThaiHoSo,
-- instead of TrangThai: ref_dvcqg_case_status maps it, and a record whose latest version is not a case (1 not yet
-- received, 3 refused at receipt) is left out.
-- Incremental: a night re-reads only the versions of the cases that new raw batches touched.
with {{ latest_versions(source('motcua', 'motcua_cases'), ['mahoso'],
                        'raw_rows.ngaycapnhat desc, raw_rows._batch_id desc, raw_rows._source_row desc') }},

portal_statuses as (

    select dvcqg_code, case_status from {{ ref('ref_dvcqg_case_status') }}

),

renamed as (

    select
        mahoso as case_id,
        matthc as procedure_id,
        madonvi as agency_id,
        {{ pii_hash('sogiayto') }} as applicant_key,
        case kenhnop when 1 then 'direct' when 2 then 'online' when 3 then 'postal' end as channel,
        mucdodvc as online_service_level,
        coalesce(trangthai, portal_statuses.case_status) as status,
        trangthaihoso as portal_status_code,
        coalesce(cophi, false) as has_fee,
        coalesce(thanhtoantructuyen, false) as is_paid_online,
        coalesce(dasohoa, false) as is_digitised,
        coalesce(ketquadientu, false) as has_electronic_result,
        coalesce(dongbodvcqg, false) as is_synced_national,
        coalesce(cothuxinloi, false) as has_apology_letter,
        ngaytiepnhan as received_at,
        ngayhentra as due_at_recorded,
        ngayketthuc as finished_at,
        ngaytraketqua as result_returned_at,
        ngaycapnhat as source_updated_at,
        _batch_id as batch_id,
        {{ raw_watermark() }} as source_batch_id
    from source
    left join portal_statuses on portal_statuses.dvcqg_code = source.trangthaihoso
    where source.trangthai is not null or portal_statuses.case_status is not null

)

select * from renamed
