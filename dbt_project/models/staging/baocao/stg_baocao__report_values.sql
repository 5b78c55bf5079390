-- One row per indicator value of each delivered report workbook (every submission is kept: a corrected
-- workbook is a new submission; marts decide which one counts).
select
    _batch_id as submission_id,
    madonvi as agency_id,
    loaibaocao as report_type,
    kybaocao as period_id,
    machitieu as indicator_id,
    donvitinh as unit,
    giatri as value,
    ngaylap as made_on_date,
    ngaynop as submitted_at
from {{ source('baocao', 'baocao_values') }}
where _batch_id in (select batch_id from {{ ref('stg_audit__batches') }} where is_loaded)
