{#- Working days after `start_day` up to and including `end_day` (negative when end_day < start_day):
    how many working days late a case finished on `end_day` is against a due date `start_day`. -#}
{% macro working_days_between(start_day, end_day) -%}
    ((select e.working_days_to_date from {{ ref('int_calendar_days') }} as e where e.calendar_date = ({{ end_day }})::date)
     - (select s.working_days_to_date from {{ ref('int_calendar_days') }} as s where s.calendar_date = ({{ start_day }})::date))
{%- endmacro %}
