-- The portal's published 766 scores next to our own scorecard, per unit, calendar period and indicator. A unit is
-- ours when its code is an agency's electronic identifier (or its MaDonVi); the portal's PROVINCE row is the
-- province. A difference beyond ref_766_tolerances is a data-quality warning (mart suite mart_766_official) that
-- says which side is higher and by how much. Nothing here changes our figures: the portal's are shown beside them.
with official as (

    select
        scores.*,
        metrics.indicator_id,
        case when scores.unit_type = 'PROVINCE' then 'province' else 'agency' end as scope,
        case when scores.unit_type = 'PROVINCE' then null else coalesce(by_identifier.agency_id, by_code.agency_id) end
            as agency_id
    from {{ ref('stg_dvcqg_766__scores') }} as scores
    join {{ ref('ref_766_portal_metrics') }} as metrics on metrics.portal_code = scores.metric_code
    left join {{ ref('dim_agency') }} as by_identifier on by_identifier.electronic_id = scores.unit_code
    left join {{ ref('dim_agency') }} as by_code on by_code.agency_id = scores.unit_code

),

ours as (

    select 'agency' as scope, agency_id, period_id, indicator_id, numerator, denominator, rate, points
    from {{ ref('kpi_766_scorecard') }}
    union all
    select 'province' as scope, null as agency_id, period_id, indicator_id, numerator, denominator, rate, points
    from {{ ref('kpi_766_scorecard_province') }}

),

compared as (

    select
        official.scope,
        official.agency_id,
        official.unit_code,
        official.unit_name,
        official.period_id,
        official.indicator_id,
        official.metric_code,
        official.numerator as official_numerator,
        official.denominator as official_denominator,
        official.rate as official_rate,
        official.points as official_points,
        official.max_points as official_max_points,
        official.portal_flag,
        ours.numerator as our_numerator,
        ours.denominator as our_denominator,
        ours.rate as our_rate,
        ours.points as our_points,
        official.rate - ours.rate as rate_difference,
        official.points - ours.points as points_difference,
        tolerances.rate_tolerance,
        tolerances.points_tolerance,
        case
            when official.scope = 'agency' and official.agency_id is null then 'unit_not_in_catalogue'
            when ours.indicator_id is null then 'not_in_our_scorecard'
            when ours.rate is null or official.rate is null then 'not_comparable'
            else 'compared'
        end as comparison_status
    from official
    left join ours
      on ours.scope = official.scope
     and ours.agency_id is not distinct from official.agency_id
     and ours.period_id = official.period_id
     and ours.indicator_id = official.indicator_id
    left join {{ ref('ref_766_tolerances') }} as tolerances on tolerances.indicator_id = official.indicator_id

)

select
    compared.*,
    case
        when comparison_status <> 'compared' then null
        when rate_difference > 0 then 'official'
        when rate_difference < 0 then 'ours'
        else 'equal'
    end as higher_side,
    comparison_status = 'compared'
    and (abs(rate_difference) > rate_tolerance or coalesce(abs(points_difference) > points_tolerance, false))
        as exceeds_tolerance,
    {{ province_code() }} as province_code
from compared
