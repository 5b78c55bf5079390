{#- Each flag is true on at most one row of every `group_by` group (e.g. a case's moment in a period is counted
    at one agency only): what makes an agency breakdown add up to the whole. -#}
{% test at_most_one_flagged_row(model, group_by, flags) %}
select {{ group_by | join(', ') }}{% for flag in flags %}, count(*) filter (where {{ flag }}) as flag_{{ loop.index }}_rows{% endfor %}
from {{ model }}
group by {{ group_by | join(', ') }}
having {% for flag in flags %}count(*) filter (where {{ flag }}) > 1{{ ' or ' if not loop.last }}{% endfor %}
{% endtest %}
