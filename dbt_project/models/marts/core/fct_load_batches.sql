{{ config(materialized='view') }}
-- The batch ledger without its free-text messages (a rejection can quote the bad input): what was delivered,
-- loaded, quarantined, rejected or excluded. A view, so an exclusion made after the night shows at once.
select
    batch_id,
    source,
    entity,
    mode,
    location,
    status,
    validation,
    rows_read,
    rows_loaded,
    rows_quarantined,
    started_at,
    finished_at,
    {{ province_code() }} as province_code
from {{ ref('stg_audit__batches') }}
