{#- Every row of the long KPI table says what its unit means (dim_kpi.unit): a share is numerator / denominator
    and lies in [0, 1] with the numerator within the denominator; days are the average numerator / denominator;
    points and counts are the numerator itself. Fails on every row that does not. -#}
{% test kpi_values_are_consistent(model, catalogue) %}
with kpis as (

    select * from {{ model }}

)

select values.kpi_id, values.scope, values.scope_key, values.period_id, catalogue.unit,
       values.numerator, values.denominator, values.value
from kpis as values
join {{ catalogue }} as catalogue using (kpi_id)
where case catalogue.unit
        when 'share' then values.value is distinct from {{ safe_ratio('values.numerator', 'values.denominator') }}
                          or values.value not between 0 and 1 or values.numerator > values.denominator
        when 'days' then values.value is distinct from round(values.numerator / nullif(values.denominator, 0), 2)
        else values.value is distinct from values.numerator
      end
{% endtest %}
