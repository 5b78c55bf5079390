{#- Rows to look up previous-period values in: this run's rows (`final_cte`) plus, on an incremental run,
    the rows already in the table for periods not rebuilt tonight. -#}
{% macro previous_values_source(final_cte, keys, values) -%}
    (select period_id{% for k in keys %}, {{ k }}{% endfor %}{% for v in values %}, {{ v }}{% endfor %}
     from {{ final_cte }}
     {%- if is_incremental() %}
     union all
     select period_id{% for k in keys %}, {{ k }}{% endfor %}{% for v in values %}, {{ v }}{% endfor %}
     from {{ this }}
     where period_id not in (select period_id from {{ final_cte }})
     {%- endif %})
{%- endmacro %}
