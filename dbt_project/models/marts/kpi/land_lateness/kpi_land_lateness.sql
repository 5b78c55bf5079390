{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}, {'columns': ['source_batch_id']}]) }}
-- Land-dossier lateness per agency x reporting period (land: a field code in ref_land_fields). The KPI with the
-- plan's target (< 2%) is the provinces' late rate on land cases, (late resolved + ended after the due date +
-- overdue in progress) / the land cases judged (macro late_incl_overdue_counts, as for all cases); the
-- resolved-only share, late resolved / resolved, is beside it. With the land-registration branch serving the
-- agency, so that branches can be compared (kpi_land_lateness_by_branch sums them). Targets, previous periods
-- and changes: kpi_values. A six months or a year is summed from its months (macro summed_into_parents).
{%- set rebuilt = periods_rebuilt_in(ref('int_case_period_states'), ['month', 'six_months', 'year']) %}
with {{ months_and_parents(rebuilt) }},

counted as (

    select
        period_id,
        agency_id,
        count(*) filter (where ended_outcome = 'resolved' and ended_timeliness is not null)::int as land_resolved,
        count(*) filter (where ended_timeliness = 'late')::int as land_resolved_late,
        count(*) filter (where is_received)::int as land_received,
        count(*) filter (where ended_outcome is not null)::int as land_ended,
        count(*) filter (where is_open_at_end)::int as land_in_progress,
        count(*) filter (where is_open_at_end and not is_within_due_at_end)::int as land_in_progress_overdue,
        count(*) filter (where is_open_at_end and is_within_due_at_end)::int as land_in_progress_within_due,
        {{ late_incl_overdue_counts('land_') }}
    from {{ ref('int_case_period_states') }}
    where period_id in (select period_id from months)
      and is_land_case
      and (is_received or ended_outcome is not null or is_open_at_end)
    group by period_id, agency_id

),

{{ summed_into_parents(['agency_id'], in_period=['land_resolved', 'land_resolved_late', 'land_received', 'land_ended'],
                       at_end=['land_in_progress', 'land_in_progress_overdue', 'land_in_progress_within_due'],
                       late_prefix='land_', present_in_period=['land_received', 'land_ended'],
                       present_at_end=['land_in_progress']) }}

select
    all_counted.*,
    periods.period_kind,
    periods.is_period_open,
    periods.previous_period_id,
    {{ safe_ratio('all_counted.land_late_incl_overdue_numerator', 'all_counted.land_late_incl_overdue_denominator') }}
        as land_late_rate_incl_overdue,
    {{ safe_ratio('all_counted.land_resolved_late', 'all_counted.land_resolved') }} as land_late_rate,
    periods.start_date as period_start_date,
    periods.end_date as measured_until_date,
    agencies.land_branch_id,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from all_counted
join periods using (period_id)
left join {{ ref('dim_agency') }} as agencies using (agency_id)
