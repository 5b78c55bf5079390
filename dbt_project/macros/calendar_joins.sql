{#- Joins, as `alias`, the calendar day `n` working days after `day` (a day off rolls forward to the next working
    day first; `alias`_from is the calendar row of `day`): join_working_days_after('due', "'2026-02-13'", 1) gives
    due.calendar_date = 2026-02-23 (Tết 2026 closes 16-20/2). No row (null) beyond the calendar. -#}
{% macro join_working_days_after(alias, day, n) -%}
    left join {{ ref('int_calendar_days') }} as {{ alias }}_from on {{ alias }}_from.calendar_date = ({{ day }})::date
    left join {{ ref('int_calendar_days') }} as {{ alias }}
      on {{ alias }}.is_working_day
     and {{ alias }}.working_days_to_date = {{ alias }}_from.next_working_day_number + ({{ n }})
{%- endmacro %}

{#- Joins the calendar row of `day` as `alias`, for working_days_between and counting_day. -#}
{% macro join_calendar_day(alias, day) -%}
    left join {{ ref('int_calendar_days') }} as {{ alias }} on {{ alias }}.calendar_date = ({{ day }})::date
{%- endmacro %}
