-- Land-dossier lateness per land-registration branch (Chi nhánh VPĐKĐĐ) x reporting period: the cases of the
-- branch itself and of the communes it serves, summed from kpi_land_lateness.
select
    period_id,
    period_kind,
    land_branch_id,
    sum(land_received)::int as land_received,
    sum(land_resolved)::int as land_resolved,
    sum(land_resolved_late)::int as land_resolved_late,
    {{ safe_ratio('sum(land_resolved_late)', 'sum(land_resolved)') }} as land_late_rate
from {{ ref('kpi_land_lateness') }}
where land_branch_id is not null
group by period_id, period_kind, land_branch_id
