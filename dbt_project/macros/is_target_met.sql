{#- Whether `value` meets `target` under `operator` ('>=', '>', '<=', '<'); null when either is unknown. -#}
{% macro is_target_met(value, operator, target) -%}
    case
        when ({{ value }}) is null or ({{ target }}) is null then null
        when ({{ operator }}) = '>=' then ({{ value }}) >= ({{ target }})
        when ({{ operator }}) = '>' then ({{ value }}) > ({{ target }})
        when ({{ operator }}) = '<=' then ({{ value }}) <= ({{ target }})
        when ({{ operator }}) = '<' then ({{ value }}) < ({{ target }})
    end
{%- endmacro %}
