{#- numerator / denominator as numeric(12,6); null when the denominator is zero (no cases, no rate). -#}
{% macro safe_ratio(numerator, denominator) -%}
    case when ({{ denominator }}) > 0 then round(({{ numerator }})::numeric / ({{ denominator }}), 6)::numeric(12, 6) end
{%- endmacro %}
