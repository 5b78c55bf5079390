{#- The model has at most one row (a single-valued setting such as the data's moment). -#}
{% test at_most_one_row(model) %}
select count(*) as row_count from {{ model }} having count(*) > 1
{% endtest %}
