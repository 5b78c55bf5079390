-- Every unit the portal scores is one of our agencies (by electronic identifier or MaDonVi), or the province.
-- kind: official_766_unknown_unit
-- severity: warning
select null::text as agency_id, period_id, count(*) as rows_affected,
       (array_agg(distinct coalesce(unit_code, '?') || ' ' || coalesce(unit_name, '')))[1:5] as example_keys
from {batch}
where comparison_status = 'unit_not_in_catalogue'
group by period_id
