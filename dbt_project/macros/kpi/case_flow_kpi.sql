{#- Shared shape of the KPIs counted from the cases received or ended in a period (online share, land
    lateness, apology compliance): one definition serves the agency-level model and its province model.

    measures: list of (name, "received" | "ended", SQL condition on the case) -> counts
    ratios:   list of (name, numerator, denominator, kpi for targets or none)
    dims:     extra grouping columns taken from the case (e.g. ['field_id'])
    by_agency: group by the agency holding the case (receiving agency for received measures, the agency
               that ended it for ended measures), or count the whole province. -#}
{% macro case_flow_kpi(measures, ratios, dims=[], by_agency=true, case_filter='true') %}
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_id in {{ periods_to_refresh(['month', 'six_months', 'year'], model_watermark()) }}

),

cases as (

    -- each case in each period it touches, with its attributes (conditions below say `cases.<column>`)
    select states.period_id, states.is_received, states.ended_outcome, cases.*
    from {{ ref('int_case_period_states') }} as states
    join {{ ref('fct_cases') }} as cases using (case_id)
    where states.period_id in (select period_id from periods) and {{ case_filter }}
      -- only cases open at, or ended after, the earliest rebuilt period's start (an index scan on fct_cases)
      and coalesce(cases.ended_at, 'infinity'::timestamptz) >= (select min(starts_at) from periods)

),

flows as (

    {%- for name, moment, condition in measures %}
    select
        cases.period_id,
        {%- if by_agency %}
        {{ 'cases.receiving_agency_id' if moment == 'received' else 'cases.ended_agency_id' }} as agency_id,
        {%- endif %}
        {%- for dim in dims %}
        cases.{{ dim }},
        {%- endfor %}
        '{{ name }}' as measure
    from cases
    where {{ 'cases.is_received' if moment == 'received' else 'cases.ended_outcome is not null' }}
      and ({{ condition }})
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

counted as (

    select
        period_id,
        {%- if by_agency %} agency_id,{% endif %}
        {%- for dim in dims %} {{ dim }},{% endfor %}
        {%- for name, moment, condition in measures %}
        count(*) filter (where measure = '{{ name }}')::int as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    from flows
    group by period_id{% if by_agency %}, agency_id{% endif %}{% for dim in dims %}, {{ dim }}{% endfor %}

),

final as (

    select
        counted.*,
        periods.period_kind,
        periods.is_period_open,
        periods.previous_period_id,
        {%- for name, numerator, denominator, kpi in ratios %}
        {{ safe_ratio('counted.' ~ numerator, 'counted.' ~ denominator) }} as {{ name }},
        {%- if kpi %}
        target_{{ loop.index }}.target_operator as {{ name }}_target_operator,
        target_{{ loop.index }}.target_value as {{ name }}_target,
        {%- endif %}
        {%- endfor %}
        periods.start_date as period_start_date,
        periods.end_date as measured_until_date
    from counted
    join periods using (period_id)
    {%- for name, numerator, denominator, kpi in ratios %}
    {%- if kpi %}
    {{ kpi_target_join(kpi, 'periods.year', 'target_' ~ loop.index) }}
    {%- endif %}
    {%- endfor %}

)

select
    final.*,
    {%- for name, numerator, denominator, kpi in ratios %}
    {%- if kpi %}
    {{ is_target_met('final.' ~ name, 'final.' ~ name ~ '_target_operator', 'final.' ~ name ~ '_target') }}
        as is_{{ name }}_target_met,
    {%- endif %}
    previous.{{ name }} as previous_{{ name }},
    {%- endfor %}
    {{ raw_watermark() }} as source_batch_id
from final
left join {{ previous_values_source('final', (['agency_id'] if by_agency else []) + dims,
                                    ratios | map(attribute=0) | list) }} as previous
  on previous.period_id = final.previous_period_id
  {%- if by_agency %}
 and previous.agency_id is not distinct from final.agency_id
  {%- endif %}
  {%- for dim in dims %}
 and previous.{{ dim }} is not distinct from final.{{ dim }}
  {%- endfor %}
{% endmacro %}
