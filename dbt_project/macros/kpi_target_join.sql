{#- Left-join the province target of `kpi` for the period's year as `alias` (target_operator, target_value). -#}
{% macro kpi_target_join(kpi, year_column, alias) -%}
    left join (select year, operator as target_operator, target_value, source_document
               from {{ ref('ref_kpi_targets') }} where kpi = '{{ kpi }}' and scope = 'province') as {{ alias }}
      on {{ alias }}.year = {{ year_column }}
{%- endmacro %}
