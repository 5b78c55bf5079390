-- One row per indicator value of each delivered report workbook (every submission is kept: a corrected
-- workbook is a new submission; marts decide which one counts). submitted_at: when the reporting system
-- received it (the API's NgayNop), else when the warehouse did (the delivery of the night that loaded the
-- batch, audit ledger); never the dropped file's modification time.
select
    values._batch_id as submission_id,
    values.madonvi as agency_id,
    values.loaibaocao as report_type,
    values.kybaocao as period_id,
    values.machitieu as indicator_id,
    values.donvitinh as unit,
    values.giatri as value,
    values.ngaylap as made_on_date,
    coalesce(values.ngaynop, batches.delivered_at) as submitted_at
from {{ source('baocao', 'baocao_values') }} as values
join {{ ref('stg_audit__batches') }} as batches
  on batches.batch_id = values._batch_id
 and batches.is_loaded
