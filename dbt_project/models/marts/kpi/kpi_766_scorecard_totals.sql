{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}]) }}
-- depends_on: {{ ref('fct_cases') }}, {{ ref('fct_feedback') }}
-- Decision 766 scorecard per group and in total (100 points), for the province and each agency, per
-- calendar period: the points of the indicators whose rule is known, next to the points those indicators
-- could give (`points_max_scored`) and the group's maximum; the gap is what the sources cannot score.
-- A group never scores above its maximum (the payment formula 6A + min(2, 2.5B) + 2.5C can reach 10.5).
with rules as (

    select distinct group_id, group_name_vi, group_max_points from {{ ref('ref_766_rules') }}

),

periods as (

    select period_id from {{ periods_to_refresh(['calendar_month', 'calendar_quarter', 'calendar_year'],
                                                model_watermark(), with_cases=true, with_feedback=true) }} as p

),

indicators as (

    select 'province' as scope, * from {{ ref('kpi_766_scorecard_province') }}
    where period_id in (select period_id from periods)
    union all
    select 'agency' as scope, * from {{ ref('kpi_766_scorecard') }}
    where period_id in (select period_id from periods)

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
    rules.group_max_points,
    {{ raw_watermark() }} as source_batch_id
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
    100 as group_max_points,
    {{ raw_watermark() }} as source_batch_id
from groups
group by scope, period_id, period_kind, agency_id
