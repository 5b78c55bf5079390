-- Administrative procedures (TTHC) with their field (lĩnh vực) and legal processing time. A land procedure is one
-- whose field code is listed in the seed ref_land_fields (codes, not names: a name's spelling varies).
select
    procedure_id,
    procedure_name,
    field_id,
    field_name,
    competence_level,
    field_id in (select field_id from {{ ref('ref_land_fields') }}) as is_land_procedure,
    legal_working_days,
    is_fully_online_capable,
    {{ province_code() }} as province_code
from {{ ref('stg_motcua__procedures') }}
