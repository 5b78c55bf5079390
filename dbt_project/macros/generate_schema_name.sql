{#- Folders map to fixed schemas (staging, intermediate, marts, reference): analysts and grants rely on
    these names, so no target prefix is added. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
