-- Every delivered file or API pull loads, or an operator excludes it: a rejected one (not what it claims, or
-- beyond a bound) waits for a corrected delivery; a failed one (an unforeseen error) is tried again each night.
-- Until then its rows are missing from the marts. The period is the month of the attempt.
-- kind: file_not_loaded
-- severity: warning
select
    null::text as agency_id,
    dq.nd09_month(b.finished_at) as period_id,
    count(*) as rows_affected,
    array_agg(b.status || ': ' || b.location order by b.batch_id) as example_keys,
    array_agg(b.batch_id order by b.batch_id) as batch_ids
from (select * from {batch}) as b
where b.status in ('rejected', 'failed')
    and not exists (
        select 1 from (select * from {batch}) as later
        where later.location = b.location and later.batch_id > b.batch_id and later.status in ('loaded', 'excluded')
    )
group by 2
