{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- Decision 766 scorecard per group and in total (100 points), for the province and each agency, per
-- calendar period: the points of the indicators whose rule is known and whose data the sources hold, next to
-- the points those indicators could give (`points_max_scored`, what an honest total is read against: "x / 60
-- điểm chấm được", never "/ 100" alone) and the group's maximum; the gap is what the sources cannot score
-- (ref_766_rules.not_scored_reason_vi). Neither a group's points nor its maximum scored exceed the group's
-- maximum.
with rules as (

    select distinct group_id, group_max_points from {{ ref('ref_766_rules') }}

),

names as (

    select kpi_id, label_vi from {{ ref('ref_kpis') }} where family = 'scorecard_766'

),

indicators as (

    select * from {{ ref('int_scorecard_766_indicators') }}
    {%- if is_incremental() %}
    where source_batch_id > {{ model_watermark() }}
    {%- endif %}

),

groups as (

    select
        indicators.scope,
        indicators.period_id,
        indicators.period_kind,
        indicators.agency_id,
        indicators.group_id,
        -- (least() skips nulls: a group with no scored indicator must stay null, not take its maximum)
        case when count(indicators.points) > 0
             then least(sum(indicators.points), max(rules.group_max_points)) end as points,
        case when count(indicators.points) > 0
             then least(sum(indicators.max_points) filter (where indicators.points is not null),
                        max(rules.group_max_points)) end as points_max_scored,
        max(indicators.source_batch_id) as source_batch_id
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
    names.label_vi as group_name_vi,
    groups.points,
    groups.points_max_scored,
    rules.group_max_points,
    groups.source_batch_id,
    {{ province_code() }} as province_code
from groups
join rules using (group_id)
left join names on names.kpi_id = '766_group_' || groups.group_id

union all

select
    groups.scope,
    groups.period_id,
    groups.period_kind,
    groups.agency_id,
    'total' as group_id,
    (select label_vi from names where kpi_id = '766_total') as group_name_vi,
    sum(groups.points),
    sum(groups.points_max_scored),
    (select sum(group_max_points) from rules) as group_max_points,
    max(groups.source_batch_id),
    {{ province_code() }} as province_code
from groups
group by groups.scope, groups.period_id, groups.period_kind, groups.agency_id
