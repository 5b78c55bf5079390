{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}]) }}
-- Land-dossier lateness per agency x period (macros/kpi/land_lateness_kpi.sql), with the land-registration
-- branch serving the agency, so that branches can be compared: sum numerators and denominators by
-- land_branch_id (kpi_land_lateness_by_branch does).
with kpi as (

    {{ land_lateness_kpi(by_agency=true) }}

)

select kpi.*, agencies.land_branch_id
from kpi
left join {{ ref('dim_agency') }} as agencies using (agency_id)
