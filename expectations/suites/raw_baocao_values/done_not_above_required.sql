-- Done never exceeds required (declared <= due, rotated <= planned, resolved <= competent, completed <= assigned).
-- kind: inconsistent_report
-- severity: warning
with pairs (done, required) as (

    values ('PCTN02', 'PCTN01'), ('PCTN04', 'PCTN03'), ('KN03', 'KN02'), ('TC03', 'TC02'), ('CCHC02', 'CCHC01')

)

select d.madonvi as agency_id, d.kybaocao as period_id, count(*) as rows_affected,
       (array_agg(d.machitieu || '=' || d.giatri || ' > ' || r.machitieu || '=' || r.giatri))[1:5] as example_keys,
       array_agg(distinct d._batch_id) as batch_ids
from (select * from {batch}) as d
join pairs on pairs.done = d.machitieu
join (select * from {batch}) as r on r._batch_id = d._batch_id and r.machitieu = pairs.required
where d.giatri > r.giatri
group by 1, 2
