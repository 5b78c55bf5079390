{#- Working days after the day joined as `start_day` up to and including the day joined as `end_day` (both by
    join_calendar_day; negative when end_day < start_day): how many working days late a case finished on
    `end_day` is against a due date `start_day`. -#}
{% macro working_days_between(start_day, end_day) -%}
    ({{ end_day }}.working_days_to_date - {{ start_day }}.working_days_to_date)
{%- endmacro %}
