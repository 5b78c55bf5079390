{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- Apology compliance per agency x reporting period (target 100%): the cases that became late with an apology
-- letter / the cases that became late, where "became late" = resolved late in the period + still open and
-- overdue at its end (DOMAIN.md: an overdue backlog without apologies must show). Beside it, the apologies that
-- came at least one working day before the due date (Nghị định 118/2025 Art. 12.5, 19.6). A resolved case
-- counts at the agency that ended it, an open one at the agency holding it. Targets, previous periods and
-- changes: kpi_values.
{%- set rebuilt = periods_rebuilt_in(ref('int_case_period_states'), ['month', 'six_months', 'year']) %}
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_id in {{ rebuilt }}

),

counted as (

    select
        period_id,
        agency_id,
        count(*) filter (where ended_timeliness = 'late')::int as late_resolved,
        count(*) filter (where is_open_at_end and not is_within_due_at_end)::int as overdue_in_progress,
        count(*)::int as became_late,
        count(*) filter (where has_apology)::int as became_late_with_apology,
        count(*) filter (where is_apology_timely)::int as became_late_with_timely_apology,
        -- the rules' other limits: one apology per case (Art. 19.6), and the new appointment kept
        count(*) filter (where is_apology_repeated)::int as became_late_apologised_again,
        count(*) filter (where ended_timeliness = 'late' and is_resolved_after_apology_date)::int
            as resolved_after_apology_date
    from {{ ref('int_case_period_states') }}
    where period_id in {{ rebuilt }}
      and (ended_timeliness = 'late' or (is_open_at_end and not is_within_due_at_end))
    group by period_id, agency_id

)

select
    counted.*,
    periods.period_kind,
    periods.is_period_open,
    periods.previous_period_id,
    {{ safe_ratio('counted.became_late_with_apology', 'counted.became_late') }} as apology_compliance_rate,
    {{ safe_ratio('counted.became_late_with_timely_apology', 'counted.became_late') }} as timely_apology_rate,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from counted
join periods using (period_id)
