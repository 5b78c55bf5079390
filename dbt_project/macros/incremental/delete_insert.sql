{#- dbt's delete+insert, with tonight's rows analysed first. Unanalysed, the temporary table looks like a
    guess of 200 keys, so deleting the few periods (or cases) it replaces became a scan of the whole target
    table, a cost that grows with the history; with its statistics the planner deletes them by index. -#}
{% macro postgres__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) -%}
    analyze {{ source }};
    {{ default__get_delete_insert_merge_sql(target, source, unique_key, dest_columns, incremental_predicates) }}
{%- endmacro %}
