-- The KPI catalogue (seed ref_kpis): what each KPI is, in Vietnamese and English, its unit, which way is
-- better, what its numerator and denominator count, where it is measured, its legal or plan source, and which
-- recipients' documents show it; with the target of the latest year that has one (every year's: dim_kpi_target).
with catalogue as (

    select * from {{ ref('ref_kpis') }}

),

latest_targets as (

    select distinct on (kpi) kpi as kpi_id, year, operator, target_value, source_document
    from {{ ref('ref_kpi_targets') }}
    where scope = 'province'
    order by kpi, year desc

)

select
    catalogue.kpi_id,
    catalogue.family,
    catalogue.label_vi,
    catalogue.label_en,
    catalogue.unit,
    catalogue.direction,
    catalogue.numerator_label_vi,
    catalogue.denominator_label_vi,
    nullif(catalogue.measured_in, '') is not null as is_measured,
    nullif(catalogue.measured_in, '') as measured_in,
    nullif(catalogue.item, '') as item,
    nullif(catalogue.numerator_column, '') as numerator_column,
    nullif(catalogue.denominator_column, '') as denominator_column,
    string_to_array(nullif(catalogue.scopes, ''), ' ') as scopes,
    catalogue.is_additive,
    catalogue.display_order,
    coalesce(string_to_array(nullif(catalogue.recipients, ''), ' '), '{}') as recipients,
    catalogue.source,
    latest_targets.year as target_year,
    latest_targets.operator as target_operator,
    latest_targets.target_value,
    latest_targets.source_document as target_source,
    {{ province_code() }} as province_code
from catalogue
left join latest_targets using (kpi_id)
