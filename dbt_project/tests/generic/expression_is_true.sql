{#- Fails on every row where `expression` is not true (e.g. numerator <= denominator). -#}
{% test expression_is_true(model, expression, column_name=none) %}
select * from {{ model }} where not coalesce(({{ expression }}), false)
{% endtest %}
