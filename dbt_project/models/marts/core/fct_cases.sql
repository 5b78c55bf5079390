-- One row per case (latest version), classified: the fact table behind every case KPI. No personal data:
-- the applicant appears only as a keyed hash.
select
    cases.*,
    coalesce(procedures.is_land_procedure, false) as is_land_case
from {{ ref('int_cases_classified') }} as cases
left join {{ ref('dim_procedure') }} as procedures using (procedure_id)
