{#- A period from its months: what happens in a period is what happens in its months, what holds at its start is
    its first month's, what holds at its end its last month's. So int_case_period_states has no rows for Nghị định
    09's six months and years (nor, but for the cases with a supplement request, for the 766 scorecard's calendar
    quarters and years): a KPI counts the months and sums them into their parents, and a year costs its months'
    rows of counts, not a million case states again.

    months_and_parents(rebuilt, month_kind, parent_kinds): the CTEs `months` (the months to count, of `rebuilt`),
    `parents` (the periods of `parent_kinds` rebuilt, and every one holding a month rebuilt), `periods` (both) and
    `member_months` (each of those periods with each of its months, a month being its own: month_id, is_first_month,
    is_last_month). -#}
{% macro months_and_parents(rebuilt, month_kind='month', parent_kinds=['six_months', 'year']) -%}
months as (

    select * from {{ ref('int_periods_measured') }}
    where period_kind = '{{ month_kind }}' and period_id in {{ rebuilt }}

),

parents as (

    select parents.* from {{ ref('int_periods_measured') }} as parents
    where parents.period_kind in {{ text_literals(parent_kinds) }}
      and (parents.period_id in {{ rebuilt }}
           or exists (select 1 from months where months.start_date between parents.start_date and parents.end_date))

),

periods as (

    select * from months
    union all
    select * from parents

),

member_months as (

    -- a period not over yet ends with its last month measured (int_periods_measured clips both to the data's day)
    select
        periods.period_id,
        periods.period_kind,
        periods.ends_at,
        members.period_id as month_id,
        members.start_date = periods.start_date as is_first_month,
        members.end_date = periods.end_date as is_last_month
    from periods
    join {{ ref('int_periods_measured') }} as members
      on members.period_kind = '{{ month_kind }}' and members.start_date between periods.start_date and periods.end_date

)
{%- endmacro %}

{#- summed_into_parents(keys, at_start, in_period, at_end, late_prefix, present_in_period, present_at_end): after
    months_and_parents and a CTE
    `counted` of the months' counts per period_id and `keys`, the CTEs `month_counts` (those, and on an incremental
    run the parents' other months as this model stored them) and `all_counted` (the months' rows and the parents'
    sums, in one column order). A column of `at_start` is summed over each parent's first month, of `in_period` over
    all its months, of `at_end` over its last month. With `late_prefix` (the columns of late_incl_overdue_counts,
    prefixed), the late rate's two counts: their part ended in the period summed, their part open at the end (open
    and overdue; open with a due date: `<prefix>in_progress_overdue` and `<prefix>in_progress_within_due`, which
    must be in `at_end`) the last month's. When the model has a row only for what its filter counts, a month's row
    may hold only a state at the month's end, of a case gone elsewhere by the parent's end: `present_in_period` and
    `present_at_end` (columns of in_period and at_end) then say which counts make a parent's row, summed as above. -#}
{% macro summed_into_parents(keys, at_start=[], in_period=[], at_end=[], late_prefix=none, present_in_period=[],
                             present_at_end=[]) -%}
{%- set columns = keys + at_start + in_period + at_end %}
{%- if late_prefix is not none %}
    {%- set numerator, denominator = late_prefix ~ 'late_incl_overdue_numerator', late_prefix ~ 'late_incl_overdue_denominator' %}
    {%- set overdue, within_due = late_prefix ~ 'in_progress_overdue', late_prefix ~ 'in_progress_within_due' %}
    {%- set columns = columns + [numerator, denominator] %}
{%- endif %}
month_counts as (

    select period_id, {{ columns | join(', ') }} from counted
    {%- if is_incremental() %}
    union all
    select period_id, {{ columns | join(', ') }}
    from {{ this }}
    where period_id not in (select period_id from months)
      and period_id in (select month_id from member_months)
    {%- endif %}

),

rolled_up as (

    {%- set first, last = 'member_months.is_first_month', 'member_months.is_last_month' %}
    {%- set sums = [] %}
    {%- for column in at_start %}
        {%- do sums.append('coalesce(sum(month_counts.' ~ column ~ ') filter (where ' ~ first ~ '), 0)::int as ' ~ column) %}
    {%- endfor %}
    {%- for column in in_period %}
        {%- do sums.append('sum(month_counts.' ~ column ~ ')::int as ' ~ column) %}
    {%- endfor %}
    {%- for column in at_end %}
        {%- do sums.append('coalesce(sum(month_counts.' ~ column ~ ') filter (where ' ~ last ~ '), 0)::int as ' ~ column) %}
    {%- endfor %}
    {%- if late_prefix is not none %}
        {%- do sums.append('(sum(month_counts.' ~ numerator ~ ' - month_counts.' ~ overdue ~ ') + coalesce(sum(month_counts.'
                           ~ overdue ~ ') filter (where ' ~ last ~ '), 0))::int as ' ~ numerator) %}
        {%- do sums.append('(sum(month_counts.' ~ denominator ~ ' - month_counts.' ~ within_due ~ ' - month_counts.' ~ overdue
                           ~ ') + coalesce(sum(month_counts.' ~ within_due ~ ' + month_counts.' ~ overdue ~ ') filter (where '
                           ~ last ~ '), 0))::int as ' ~ denominator) %}
    {%- endif %}
    select
        member_months.period_id,
        {%- for column in keys %}
        month_counts.{{ column }},
        {%- endfor %}
        {{ sums | join(',\n        ') }}
    from member_months
    join month_counts on month_counts.period_id = member_months.month_id
    where member_months.period_id in (select period_id from parents)
    group by member_months.period_id{% for column in keys %}, month_counts.{{ column }}{% endfor %}
    {%- if present_in_period or present_at_end %}
    having {% for column in present_in_period %}sum(month_counts.{{ column }}) + {% endfor %}
        {%- for column in present_at_end %}coalesce(sum(month_counts.{{ column }}) filter (where {{ last }}), 0) + {% endfor %}0 > 0
    {%- endif %}

),

all_counted as (

    select period_id, {{ columns | join(', ') }} from counted
    union all
    select * from rolled_up

)
{%- endmacro %}
