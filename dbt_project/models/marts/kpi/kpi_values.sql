{{ config(
    materialized='incremental', unique_key=['period_id', 'family'], incremental_strategy='delete+insert',
    indexes=[{'columns': ['period_id', 'family']},
             {'columns': ['kpi_id', 'scope', 'scope_key', 'period_id'], 'unique': True},
             {'columns': ['source_batch_id']}]
) }}
-- Every KPI the marts compute, in one long table: one row per KPI x scope (agency, agency level, land branch,
-- province) x period, with its numerator and denominator, its value, the target of the period's year and
-- whether it is met, and the values of the previous period and of the same period a year before.
--
-- The KPI catalogue (seed ref_kpis; dim_kpi for analysts) says where each KPI is measured: the wide table (`measured_in`), the
-- columns that hold its numerator and denominator, and for the 766 scorecard the indicator or group (`item`).
-- Each wide table's rows enter here as a jsonb object, so the catalogue can name the columns and nothing here
-- changes when a KPI is added to a measured table. Agency rows sum the wide table's finer rows (field, channel,
-- report type); levels and land branches sum their agencies; the province comes from the wide tables that count
-- it from the facts (the `_province` models), and for what agencies report, from the sum of their reports.
-- The value of a share is numerator / denominator; of days, the average; of points and counts, the numerator.
--
-- Incremental: every night rebuilds, per KPI family, the periods its wide table rebuilt tonight (the rows
-- newer than this table's watermark), and the report families whole (their tables are small and rebuilt every
-- night).
with catalogue as (

    select kpi_id, family, unit, measured_in, item, numerator_column, denominator_column,
           string_to_array(scopes, ' ') as scopes
    from {{ ref('ref_kpis') }}
    where measured_in is not null

),

measured as (

    {%- set since = 'where source_batch_id > ' ~ model_watermark() if is_incremental() else '' %}
    {%- for model in ['kpi_case_timeliness', 'kpi_online_share', 'kpi_land_lateness', 'kpi_apology_compliance',
                      'kpi_feedback_handling'] %}
    select '{{ model }}' as measured_in, 'agency' as scope, period_id, agency_id, null as item, to_jsonb(t) as measures
    from {{ ref(model) }} as t {{ since }}
    union all
    select '{{ model }}', 'province', period_id, null, null, to_jsonb(t) from {{ ref(model ~ '_province') }} as t {{ since }}
    union all
    {%- endfor %}
    select 'kpi_report_compliance', 'agency', period_id, agency_id, null, to_jsonb(t)
    from {{ ref('kpi_report_compliance') }} as t
    union all
    select 'kpi_report_compliance', 'province', period_id, null, null, to_jsonb(t)
    from {{ ref('kpi_report_compliance_province') }} as t
    union all
    -- what each agency reported (its latest submission), an indicator code per key
    select 'fct_report_values', 'agency', period_id, agency_id, null, jsonb_object_agg(indicator_id, value)
    from {{ ref('fct_report_values') }}
    group by period_id, agency_id
    union all
    select 'fct_report_values', 'province', period_id, null, null, jsonb_object_agg(indicator_id, value)
    from (select period_id, indicator_id, sum(value) as value from {{ ref('fct_report_values') }}
          group by period_id, indicator_id) as reported
    group by period_id
    union all
    select 'kpi_766_scorecard', 'agency', period_id, agency_id, indicator_id, to_jsonb(t)
    from {{ ref('kpi_766_scorecard') }} as t {{ since }}
    union all
    select 'kpi_766_scorecard', 'province', period_id, null, indicator_id, to_jsonb(t)
    from {{ ref('kpi_766_scorecard_province') }} as t {{ since }}
    union all
    select 'kpi_766_scorecard_totals', scope, period_id, agency_id, group_id, to_jsonb(t)
    from {{ ref('kpi_766_scorecard_totals') }} as t {{ since }}

),

picked as (

    select
        catalogue.kpi_id,
        catalogue.family,
        catalogue.scopes,
        measured.scope,
        measured.period_id,
        measured.agency_id,
        (measured.measures ->> catalogue.numerator_column)::numeric as numerator,
        (measured.measures ->> catalogue.denominator_column)::numeric as denominator
    from measured
    join catalogue
      on catalogue.measured_in = measured.measured_in
     and catalogue.item is not distinct from measured.item

),

agencies as (

    select agency_id, agency_level, land_branch_id from {{ ref('dim_agency') }}

),

scoped as (

    select kpi_id, family, 'agency' as scope, agency_id as scope_key, agency_id, null as agency_level, period_id,
           sum(numerator) as numerator, sum(denominator) as denominator
    from picked
    where scope = 'agency'
    group by kpi_id, family, agency_id, period_id

    union all

    select picked.kpi_id, picked.family, 'agency_level', agencies.agency_level, null, agencies.agency_level,
           picked.period_id, sum(picked.numerator), sum(picked.denominator)
    from picked
    join agencies using (agency_id)
    where picked.scope = 'agency' and 'agency_level' = any(picked.scopes)
    group by picked.kpi_id, picked.family, agencies.agency_level, picked.period_id

    union all

    select picked.kpi_id, picked.family, 'land_branch', agencies.land_branch_id, agencies.land_branch_id, null,
           picked.period_id, sum(picked.numerator), sum(picked.denominator)
    from picked
    join agencies using (agency_id)
    where picked.scope = 'agency' and 'land_branch' = any(picked.scopes) and agencies.land_branch_id is not null
    group by picked.kpi_id, picked.family, agencies.land_branch_id, picked.period_id

    union all

    select kpi_id, family, 'province', 'province', null, null, period_id, sum(numerator), sum(denominator)
    from picked
    where scope = 'province'
    group by kpi_id, family, period_id

),

valued as (

    select
        scoped.kpi_id,
        scoped.family,
        scoped.scope,
        scoped.scope_key,
        scoped.agency_id,
        scoped.agency_level,
        scoped.period_id,
        periods.period_kind,
        coalesce(measured_periods.is_period_open, false) as is_period_open,
        scoped.numerator,
        scoped.denominator,
        case catalogue.unit
            when 'share' then {{ safe_ratio('scoped.numerator', 'scoped.denominator') }}
            when 'days' then round(scoped.numerator / nullif(scoped.denominator, 0), 2)
            else scoped.numerator
        end as value,
        targets.operator as target_operator,
        targets.target_value,
        targets.source_document as target_source,
        periods.previous_period_id,
        periods.year_before_period_id,
        periods.start_date as period_start_date,
        coalesce(measured_periods.end_date, periods.end_date) as measured_until_date
    from scoped
    join catalogue using (kpi_id)
    join {{ ref('dim_period') }} as periods using (period_id)
    left join {{ ref('int_periods_measured') }} as measured_periods using (period_id)
    left join {{ ref('ref_kpi_targets') }} as targets
      on targets.kpi = scoped.kpi_id and targets.scope = 'province' and targets.year = periods.year
     and (targets.applies_from is null or periods.end_date >= targets.applies_from)
    where scoped.numerator is not null or scoped.denominator is not null

),

compared as (

    -- the values a row is compared with: tonight's rows, and on an incremental night the rows already here
    -- for the periods and families not rebuilt tonight
    select kpi_id, scope, scope_key, period_id, value from valued
    {%- if is_incremental() %}
    union all
    select kpi_id, scope, scope_key, period_id, value from {{ this }}
    where period_id in (select previous_period_id from valued union select year_before_period_id from valued)
      and (period_id, family) not in (select period_id, family from valued)
    {%- endif %}

)

select
    valued.kpi_id,
    valued.family,
    valued.scope,
    valued.scope_key,
    valued.agency_id,
    valued.agency_level,
    valued.period_id,
    valued.period_kind,
    valued.is_period_open,
    valued.numerator,
    valued.denominator,
    valued.value,
    valued.target_operator,
    valued.target_value,
    valued.target_source,
    {{ is_target_met('valued.value', 'valued.target_operator', 'valued.target_value') }} as is_target_met,
    valued.previous_period_id,
    previous.value as previous_value,
    valued.value - previous.value as change_from_previous,
    valued.year_before_period_id,
    year_before.value as year_before_value,
    valued.value - year_before.value as change_from_year_before,
    valued.period_start_date,
    valued.measured_until_date,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from valued
left join compared as previous
  on previous.kpi_id = valued.kpi_id and previous.scope = valued.scope and previous.scope_key = valued.scope_key
 and previous.period_id = valued.previous_period_id
left join compared as year_before
  on year_before.kpi_id = valued.kpi_id and year_before.scope = valued.scope
 and year_before.scope_key = valued.scope_key and year_before.period_id = valued.year_before_period_id
