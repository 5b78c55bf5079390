-- Land-dossier lateness per land-registration branch (Chi nhánh VPĐKĐĐ) x reporting period: the cases of the
-- branch itself and of the communes it serves, summed from kpi_land_lateness.
select
    period_id,
    period_kind,
    land_branch_id,
    sum(land_received)::int as land_received,
    sum(land_resolved)::int as land_resolved,
    sum(land_resolved_late)::int as land_resolved_late,
    sum(land_in_progress_overdue)::int as land_in_progress_overdue,
    sum(land_late_incl_overdue_numerator)::int as land_late_incl_overdue_numerator,
    sum(land_late_incl_overdue_denominator)::int as land_late_incl_overdue_denominator,
    {{ safe_ratio('sum(land_late_incl_overdue_numerator)', 'sum(land_late_incl_overdue_denominator)') }}
        as land_late_rate_incl_overdue,
    {{ safe_ratio('sum(land_resolved_late)', 'sum(land_resolved)') }} as land_late_rate,
    {{ province_code() }} as province_code
from {{ ref('kpi_land_lateness') }}
where land_branch_id is not null
group by period_id, period_kind, land_branch_id
