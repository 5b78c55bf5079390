-- The indicator catalogue as last delivered (latest row per code over all snapshots).
with source as (

    select distinct on (machitieu) *
    from {{ source('baocao', 'baocao_indicators') }}
    where _batch_id in (select batch_id from {{ ref('stg_audit__batches') }} where is_loaded)
    order by machitieu, _batch_id desc, _source_row desc

)

select
    machitieu as indicator_id,
    loaibaocao as report_type,
    tenchitieu as indicator_name,
    donvitinh as unit,
    kieugiatri as value_kind
from source
