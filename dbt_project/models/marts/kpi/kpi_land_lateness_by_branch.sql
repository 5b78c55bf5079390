-- Land-dossier lateness per land-registration branch (Chi nhánh VPĐKĐĐ) x period: the cases of the branch
-- itself and of the communes it serves, summed from kpi_land_lateness.
select
    period_id,
    period_kind,
    land_branch_id,
    sum(land_received)::int as land_received,
    sum(land_resolved)::int as land_resolved,
    sum(land_resolved_late)::int as land_resolved_late,
    {{ safe_ratio('sum(land_resolved_late)', 'sum(land_resolved)') }} as land_late_rate,
    max(land_late_rate_target_operator) as land_late_rate_target_operator,
    max(land_late_rate_target) as land_late_rate_target,
    {{ is_target_met(safe_ratio('sum(land_resolved_late)', 'sum(land_resolved)'),
                     'max(land_late_rate_target_operator)', 'max(land_late_rate_target)') }} as is_land_late_rate_target_met
from {{ ref('kpi_land_lateness') }}
where land_branch_id is not null
group by period_id, period_kind, land_branch_id
