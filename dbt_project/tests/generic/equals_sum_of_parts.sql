{#- A province model equals the sum of its agency-level model: for every key in `group_by`, each measure of
    `model` equals the sum of that measure over `parts` (rows on either side only are failures too).
    Keys are compared as text with nulls made equal (a null field is a group of its own). Only the values of
    the first key present in the model are compared (with where: __tonight__, the periods rebuilt tonight). -#}
{% test equals_sum_of_parts(model, parts, group_by, measures) %}
{%- set keys -%}{% for k in group_by %}coalesce({{ k }}::text, '<null>') as {{ k }}{{ ', ' if not loop.last }}{% endfor %}{%- endset -%}
{%- set sums -%}{% for m in measures %}sum({{ m }}) as {{ m }}{{ ', ' if not loop.last }}{% endfor %}{%- endset -%}
with whole as (
    select {{ keys }}, {{ sums }} from {{ model }} group by {{ range(1, group_by | length + 1) | join(', ') }}
),
summed as (
    select {{ keys }}, {{ sums }} from {{ parts }}
    where {{ group_by[0] }} in (select {{ group_by[0] }} from {{ model }})
    group by {{ range(1, group_by | length + 1) | join(', ') }}
)
select {{ group_by | join(', ') }},
       {% for m in measures %}whole.{{ m }} as whole_{{ m }}, summed.{{ m }} as parts_{{ m }}{{ ', ' if not loop.last }}{% endfor %}
from whole
full outer join summed using ({{ group_by | join(', ') }})
where {% for m in measures %}whole.{{ m }} is distinct from summed.{{ m }}{{ ' or ' if not loop.last }}{% endfor %}
{% endtest %}
