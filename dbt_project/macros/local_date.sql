{#- The legal (local) calendar date of a timestamptz: periods and due dates are judged on
    Asia/Ho_Chi_Minh dates (docs/domain.md, time). -#}
{% macro local_date(expression) -%}
    (({{ expression }}) at time zone 'Asia/Ho_Chi_Minh')::date
{%- endmacro %}
