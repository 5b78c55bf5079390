-- The plans' targets, for analysts and the extracts (which read marts only, never `reference`).
select
    kpi,
    scope,
    year,
    applies_from,
    operator,
    target_value,
    source_document,
    {{ province_code() }} as province_code
from {{ ref('ref_kpi_targets') }}
