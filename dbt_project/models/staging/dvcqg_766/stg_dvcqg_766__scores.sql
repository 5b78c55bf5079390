-- The portal's published 766 scores, the latest answer for each unit, period and metric, with our period codes
-- (the portal's months, quarters and years are calendar ones: cal-2025-08, cal-2025-Q3, cal-2025) and rates as
-- fractions (the portal gives percentages).
with latest as (

    select distinct on (departmentid, timetype, year, quarter, month, code) *
    from {{ source('dvcqg_766', 'dvcqg_766_scores') }}
    where _batch_id in (select batch_id from {{ ref('stg_audit__batches') }} where is_loaded)
    order by departmentid, timetype, year, quarter, month, code, _batch_id desc, _source_row desc

)

select
    departmentid as portal_unit_id,
    nullif(departmentcode, '') as unit_code,
    departmentname as unit_name,
    departmenttype as unit_type,
    endpoint as portal_group,
    case timetype
        when 'month' then 'cal-' || year || '-' || lpad(month::text, 2, '0')
        when 'quarter' then 'cal-' || year || '-Q' || quarter
        else 'cal-' || year
    end as period_id,
    code as metric_code,
    name as metric_name_vi,
    numerator,
    denominator,
    ratio / 100 as rate,
    score as points,
    maxscore as max_points,
    dataqualitystatus as portal_flag,
    dataqualitymessage as portal_flag_message,
    fetchedat as fetched_at,
    _batch_id as batch_id
from latest
