{#- For every additive KPI (dim_kpi.is_additive) and period, the province's numerator and denominator (counted
    from the facts on their own, in the _province models) equal the sums over the agency rows. Fails on every
    KPI and period where they differ, or where only one side has a row. -#}
{% test province_equals_sum_of_agencies(model, catalogue) %}
with additive as (

    select kpi_id from {{ catalogue }} where is_additive

),

province as (

    select kpi_id, period_id, numerator, denominator from {{ model }}
    where scope = 'province' and kpi_id in (select kpi_id from additive)

),

agencies as (

    select kpi_id, period_id, sum(numerator) as numerator, sum(denominator) as denominator from {{ model }}
    where scope = 'agency' and kpi_id in (select kpi_id from additive)
    group by kpi_id, period_id

)

select kpi_id, period_id, province.numerator as province_numerator, agencies.numerator as agencies_numerator,
       province.denominator as province_denominator, agencies.denominator as agencies_denominator
from province
full outer join agencies using (kpi_id, period_id)
where province.numerator is distinct from agencies.numerator
   or province.denominator is distinct from agencies.denominator
{% endtest %}
