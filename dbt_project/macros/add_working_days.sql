{#- The date `n` working days after `day` (a day off rolls forward to the next working day first):
    add_working_days('2026-02-13', 1) = 2026-02-23 (Tết 2026 closes 16-20/2). Null beyond the calendar. -#}
{% macro add_working_days(day, n) -%}
    (select target.calendar_date
     from {{ ref('int_calendar_days') }} as target
     where target.is_working_day
       and target.working_days_to_date = (
           select origin.next_working_day_number from {{ ref('int_calendar_days') }} as origin
           where origin.calendar_date = ({{ day }})::date) + ({{ n }}))
{%- endmacro %}
