-- The indicators the agencies' periodic reports carry (dm_chitieu), with their units: what a report table heads its
-- columns with, whether or not anybody filed yet.
select indicator_id, report_type, indicator_name, unit, value_kind, {{ province_code() }} as province_code
from {{ ref('stg_baocao__indicators') }}
