-- Agencies with their history: every agency that ever existed, when it was in force, what it became.
select
    agency_id,
    agency_name,
    agency_kind,
    case
        when agency_kind in ('SO', 'BAN') then 'department'
        when agency_kind = 'HUYEN' then 'district'
        when agency_kind in ('XA', 'PHUONG', 'DAC_KHU') then 'commune'
        when agency_kind = 'CHI_NHANH_VPDKDD' then 'land_branch'
        else 'other'
    end as agency_level,
    parent_agency_id,
    successor_agency_id,
    valid_to is null as is_current,
    valid_from,
    valid_to
from {{ ref('stg_motcua__agencies') }}
