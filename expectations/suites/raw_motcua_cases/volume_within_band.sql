-- Cases received per agency in a finished month stay within 30%-300% of its usual volume: the average of the
-- months with cases among its six previous months (judged when at least three had cases and the average is at
-- least 10).
-- kind: volume_anomaly
-- severity: warning
with touched as (

    select distinct madonvi, dq.nd09_month(ngaytiepnhan) as period_id from {batch}

),

-- the months a judgement reads: each touched month and the six before it. A Nghị định 09 month `YYYY-TMM` runs
-- from the 15th of the month before MM to the 14th of MM, so its receipts are in [15/MM - 1 month, 15/MM)
needed as (

    select distinct touched.madonvi, to_char(month_end - make_interval(months => back), 'YYYY-"T"MM') as period_id,
                    month_end - make_interval(months => back + 1) as from_date,
                    month_end - make_interval(months => back) as to_date
    from touched
    cross join lateral (
        select make_date(left(touched.period_id, 4)::int, right(touched.period_id, 2)::int, 15) as month_end
    ) as month
    cross join generate_series(0, 6) as back

),

-- each needed month read once, from the (madonvi, ngaytiepnhan) index alone: the cost follows the night,
-- not the history
counts as (

    select needed.madonvi, needed.period_id, count(distinct cases.mahoso) as n
    from needed
    join raw.motcua_cases as cases
      on cases.madonvi = needed.madonvi
     and cases.ngaytiepnhan >= (needed.from_date::timestamp at time zone 'Asia/Ho_Chi_Minh')
     and cases.ngaytiepnhan < (needed.to_date::timestamp at time zone 'Asia/Ho_Chi_Minh')
    group by 1, 2

),

-- the month in progress (never judged): the newest receipt's
latest as (

    select dq.nd09_month(max(ngaytiepnhan)) as period_id from raw.motcua_cases

),

judged as (

    select
        touched.madonvi,
        touched.period_id,
        coalesce(this_month.n, 0) as n,
        avg(before.n) as usual,
        count(before.n) as months
    from touched
    left join counts as this_month using (madonvi, period_id)
    left join counts as before
      on before.madonvi = touched.madonvi
     and before.period_id < touched.period_id
     and before.period_id >= to_char(make_date(left(touched.period_id, 4)::int, right(touched.period_id, 2)::int, 1)
                                     - interval '6 months', 'YYYY-"T"MM')
    group by 1, 2, 3

)

select judged.madonvi as agency_id, judged.period_id, judged.n as rows_affected,
       array['received ' || judged.n || ', usually ' || round(judged.usual)] as example_keys
from judged
where judged.period_id < (select period_id from latest)
  and judged.months >= 3 and judged.usual >= 10
  and (judged.n < 0.3 * judged.usual or judged.n > 3 * judged.usual)
