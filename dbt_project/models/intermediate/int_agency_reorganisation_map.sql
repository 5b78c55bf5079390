-- Old agency -> new agency, for comparing trends across the 2025 changes: the commune reorganisation of
-- 1/7/2025 (NQ 1667/NQ-UBTVQH15; many-to-many: a few old communes were split, `is_partial`), the abolished
-- districts (each maps to every new commune that took one of its communes), and the successors the agency
-- catalogue names (MaDonViKeThua: the department merges of 3/2025).
with units as (

    select * from {{ ref('ref_agency_admin_units') }}

),

reorganisation as (

    select * from {{ ref('ref_commune_reorganisation_2025') }}

),

communes as (

    select distinct
        old_unit.agency_id as old_agency_id,
        new_unit.agency_id as new_agency_id,
        reorganisation.is_partial,
        'NQ 1667/NQ-UBTVQH15 khoản ' || reorganisation.nq1667_clause as legal_basis
    from reorganisation
    join units as old_unit on old_unit.admin_unit_code = reorganisation.old_code and old_unit.relation = 'old_commune'
    join units as new_unit on new_unit.admin_unit_code = reorganisation.new_code and new_unit.relation = 'new_commune'

),

districts as (

    select distinct
        district.agency_id as old_agency_id,
        new_unit.agency_id as new_agency_id,
        true as is_partial,
        'NQ 202/2025/QH15 (district level abolished); NQ 1667/NQ-UBTVQH15' as legal_basis
    from reorganisation
    join units as district
      on district.admin_unit_code = reorganisation.old_district_code and district.relation = 'old_district'
    join units as new_unit on new_unit.admin_unit_code = reorganisation.new_code and new_unit.relation = 'new_commune'

),

successors as (

    select
        agency_id as old_agency_id,
        successor_agency_id as new_agency_id,
        false as is_partial,
        'dm_donvi.MaDonViKeThua' as legal_basis
    from {{ ref('stg_motcua__agencies') }}
    where successor_agency_id is not null

),

unioned as (

    select * from communes
    union all
    select * from districts
    union all
    select * from successors

)

select distinct on (old_agency_id, new_agency_id)
    old_agency_id,
    new_agency_id,
    is_partial,
    legal_basis
from unioned
order by old_agency_id, new_agency_id, legal_basis
