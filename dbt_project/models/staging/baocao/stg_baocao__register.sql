-- The office's incoming-document register for report workbooks (sổ đăng ký văn bản đến): each time an
-- agency's report reached the office, as the register records it (the same entry delivered twice counts once).
select distinct on (madonvi, loaibaocao, kybaocao, ngayden)
    madonvi as agency_id,
    loaibaocao as report_type,
    kybaocao as period_id,
    ngayden as arrived_at,
    soden as register_number
from {{ source('baocao', 'baocao_register') }}
where _batch_id in (select batch_id from {{ ref('stg_audit__batches') }} where is_loaded)
order by madonvi, loaibaocao, kybaocao, ngayden, _batch_id desc, _source_row desc
