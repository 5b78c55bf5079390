-- Agencies with their history: every agency that ever existed, when it was in force ([valid_from,
-- valid_to)), its level, its administrative-unit code and the land-registration branch serving it.
with agencies as (

    select * from {{ ref('stg_motcua__agencies') }}

),

units as (

    select * from {{ ref('ref_agency_admin_units') }}

),

branches as (

    select agency_id as land_branch_id, admin_unit_code as district_code
    from units where relation = 'land_branch_of_district'

),

new_commune_districts as (

    -- a new commune is served by the land branch of the old district that gave it most of its communes
    -- (distinct on picks that district per commune, after the group by; sqlfluff reads it as a plain distinct)
    select distinct on (new_unit.agency_id)  -- noqa: AM01
        new_unit.agency_id,
        reorganisation.old_district_code as district_code
    from {{ ref('ref_commune_reorganisation_2025') }} as reorganisation
    join units as new_unit on new_unit.admin_unit_code = reorganisation.new_code and new_unit.relation = 'new_commune'
    group by new_unit.agency_id, reorganisation.old_district_code
    order by new_unit.agency_id, count(*) desc, min(reorganisation.nq1667_clause), reorganisation.old_district_code

),

old_units as (

    select units.agency_id, coalesce(district.admin_unit_code, old.old_district_code) as district_code
    from units
    left join units as district on district.agency_id = units.agency_id and district.relation = 'old_district'
    left join (select distinct old_code, old_district_code from {{ ref('ref_commune_reorganisation_2025') }}) as old
      on old.old_code = units.admin_unit_code and units.relation = 'old_commune'
    where units.relation in ('old_commune', 'old_district')

),

districts as (

    select agency_id, district_code from new_commune_districts
    union all
    select agency_id, district_code from old_units
    union all
    select land_branch_id, district_code from branches

)

select
    agencies.agency_id,
    agencies.agency_name,
    agencies.electronic_id,
    agencies.agency_kind,
    case
        when agencies.agency_kind in ('SO', 'BAN') then 'department'
        when agencies.agency_kind = 'HUYEN' then 'district'
        when agencies.agency_kind in ('XA', 'PHUONG', 'DAC_KHU') then 'commune'
        when agencies.agency_kind = 'CHI_NHANH_VPDKDD' then 'land_branch'
        else 'other'
    end as agency_level,
    units.admin_unit_code,
    districts.district_code,
    branches.land_branch_id,
    agencies.parent_agency_id,
    agencies.successor_agency_id,
    agencies.valid_to is null as is_current,
    agencies.valid_from,
    agencies.valid_to,
    {{ province_code() }} as province_code
from agencies
left join units on units.agency_id = agencies.agency_id and units.relation in ('old_commune', 'new_commune', 'old_district')
left join districts on districts.agency_id = agencies.agency_id
left join branches on branches.district_code = districts.district_code
