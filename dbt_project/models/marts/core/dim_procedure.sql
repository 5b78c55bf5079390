-- Administrative procedures (TTHC) with their field (lĩnh vực) and legal processing time.
select
    procedure_id,
    procedure_name,
    field_id,
    field_name,
    competence_level,
    lower(field_name) = 'đất đai' as is_land_procedure,
    legal_working_days,
    is_fully_online_capable
from {{ ref('stg_motcua__procedures') }}
