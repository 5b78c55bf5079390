-- Decision 766 scorecard per group and in total (100 points), for the province and each agency, per
-- calendar period: the points of the indicators whose rule is known, next to the points those indicators
-- could give (`points_max_scored`) and the group's maximum; the gap is what the sources cannot score.
-- A group never scores above its maximum (the payment formula 6A + min(2, 2.5B) + 2.5C can reach 10.5).
with rules as (

    select distinct group_id, group_name_vi, group_max_points from {{ ref('ref_766_rules') }}

),

indicators as (

    select 'province' as scope, * from {{ ref('kpi_766_scorecard_province') }}
    union all
    select 'agency' as scope, * from {{ ref('kpi_766_scorecard') }}

),

groups as (

    select
        indicators.scope,
        indicators.period_id,
        indicators.period_kind,
        indicators.agency_id,
        indicators.group_id,
        least(sum(indicators.points), max(rules.group_max_points)) as points,
        sum(indicators.max_points) filter (where indicators.points is not null) as points_max_scored
    from indicators
    join rules using (group_id)
    group by indicators.scope, indicators.period_id, indicators.period_kind, indicators.agency_id, indicators.group_id

)

select
    groups.scope,
    groups.period_id,
    groups.period_kind,
    groups.agency_id,
    groups.group_id,
    rules.group_name_vi,
    groups.points,
    groups.points_max_scored,
    rules.group_max_points
from groups
join rules using (group_id)

union all

select
    scope,
    period_id,
    period_kind,
    agency_id,
    'total' as group_id,
    'Tổng điểm' as group_name_vi,
    sum(points),
    sum(points_max_scored),
    100 as group_max_points
from groups
group by scope, period_id, period_kind, agency_id
