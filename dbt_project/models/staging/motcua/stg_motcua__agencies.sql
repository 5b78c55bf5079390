-- The agency catalogue as last delivered (latest row per code over all snapshots), with validity as a half-open range:
-- valid_from is the first day in force, valid_to the first day no longer in force (HieuLucDen + 1).
with source as (

    select distinct on (madonvi) *
    from {{ source('motcua', 'motcua_agencies') }}
    where _batch_id in (select batch_id from {{ ref('stg_audit__batches') }} where is_loaded)
    order by madonvi, _batch_id desc, _source_row desc

),

renamed as (

    select
        madonvi as agency_id,
        tendonvi as agency_name,
        loaidonvi as agency_kind,
        nullif(madonvicha, '') as parent_agency_id,
        nullif(madonvikethua, '') as successor_agency_id,
        nullif(madinhdanh, '') as electronic_id,
        hieuluctu as valid_from,
        hieulucden + 1 as valid_to
    from source

)

select * from renamed
