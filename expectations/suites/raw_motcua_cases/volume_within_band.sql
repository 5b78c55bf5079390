-- Cases received per agency in a finished month stay within 30%-300% of its previous six months' average.
-- kind: volume_anomaly
-- severity: warning
with touched as (

    select distinct madonvi, dq.nd09_month(ngaytiepnhan) as period_id from {batch}

),

counts as (

    select madonvi, dq.nd09_month(ngaytiepnhan) as period_id, count(distinct mahoso) as n
    from raw.motcua_cases
    where madonvi in (select madonvi from touched)
    group by 1, 2

),

latest as (

    select max(dq.nd09_month(ngaytiepnhan)) as period_id from raw.motcua_cases

),

judged as (

    select
        madonvi,
        period_id,
        n,
        avg(n) over (partition by madonvi order by period_id rows between 6 preceding and 1 preceding) as usual,
        count(*) over (partition by madonvi order by period_id rows between 6 preceding and 1 preceding) as months
    from counts

)

select judged.madonvi as agency_id, judged.period_id, judged.n as rows_affected,
       array['received ' || judged.n || ', usually ' || round(judged.usual)] as example_keys
from judged
join touched using (madonvi, period_id)
where judged.period_id < (select period_id from latest)
  and judged.months >= 3 and judged.usual >= 10
  and (judged.n < 0.3 * judged.usual or judged.n > 3 * judged.usual)
