-- The procedure catalogue as last delivered (latest row per code over all snapshots).
with source as (

    select distinct on (matthc) *
    from {{ source('motcua', 'motcua_procedures') }}
    where _batch_id in (select batch_id from {{ ref('stg_audit__batches') }} where is_loaded)
    order by matthc, _batch_id desc, _source_row desc

),

renamed as (

    select
        matthc as procedure_id,
        tentthc as procedure_name,
        malinhvuc as field_id,
        tenlinhvuc as field_name,
        capthuchien as competence_level,
        songaygiaiquyet as legal_working_days,
        coalesce(cotructuyentoantrinh, false) as is_fully_online_capable,
        _batch_id as source_batch_id
    from source

)

select * from renamed
