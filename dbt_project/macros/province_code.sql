{#- The province this warehouse belongs to (PROVINCE_CODE, passed by warehouse/dbt.py): every mart row carries it,
    so that several provinces' marts can be combined (docs/architecture.md). -#}
{% macro province_code() -%}
    {{ sql_text(env_var('WH_PROVINCE_CODE')) }}
{%- endmacro %}

{#- A setting as an SQL text literal. -#}
{% macro sql_text(value) -%}
    '{{ value | replace("'", "''") }}'::text
{%- endmacro %}
