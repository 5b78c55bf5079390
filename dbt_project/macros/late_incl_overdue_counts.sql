{#- The two counts of the late rate including overdue cases (DOMAIN.md, the provinces' late rate), over rows of
    int_case_period_states: late = resolved late + returned or withdrawn after the due date + in progress
    overdue at the end; judged = resolved with a due date + ended after the due date + in progress with a due date
    (returned or withdrawn in time, and cases without a due date, count nowhere). One formula for the case table
    and the land cases; the province's tables add these counts up. -#}
{% macro late_incl_overdue_counts(prefix='') -%}
    count(*) filter (
        where ended_timeliness = 'late' or is_ended_after_due or (is_open_at_end and not is_within_due_at_end)
    )::int as {{ prefix }}late_incl_overdue_numerator,
    count(*) filter (
        where ended_timeliness is not null or is_ended_after_due or (is_open_at_end and is_within_due_at_end is not null)
    )::int as {{ prefix }}late_incl_overdue_denominator
{%- endmacro %}
