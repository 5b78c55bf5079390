-- Cases received per month in the mart = distinct cases received that month in raw.
-- kind: raw_reconciliation
-- severity: critical
with mart as (

    select period_id, sum(received) as received from {batch}
    where period_id in (select period_id from marts.dim_period where period_kind = 'month')
    group by 1

),

latest as (

    select distinct on (mahoso) mahoso, ngaytiepnhan, trangthai, trangthaihoso
    from raw.motcua_cases
    where _batch_id in (select batch_id from audit.batches where status = 'loaded')
    order by mahoso, ngaycapnhat desc, _batch_id desc, _source_row desc

),

cases as (

    -- a record in the portal's shape whose status is no case (not yet received, refused at receipt) is not received
    select * from latest
    where trangthai is not null
       or trangthaihoso in (select dvcqg_code from reference.ref_dvcqg_case_status where case_status is not null)

),

raw as (

    select dq.nd09_month(ngaytiepnhan) as period_id, count(*) as received from cases group by 1

)

select null::text as agency_id, period_id,
       abs(coalesce(mart.received, 0) - coalesce(raw.received, 0)) as rows_affected,
       array['mart ' || coalesce(mart.received, 0) || ' vs raw ' || coalesce(raw.received, 0)] as example_keys
from mart
full join raw using (period_id)
where coalesce(mart.received, 0) <> coalesce(raw.received, 0)
  and period_id in (select period_id from {batch})
