-- The batch ledger: every raw batch, what it carried and whether its rows count (status 'loaded'; a
-- rejected, failed or excluded batch is ignored by every staging model). A view, so an exclusion made after
-- the night shows at once.
select
    batch_id,
    source,
    entity,
    mode,
    location,
    status,
    status = 'loaded' as is_loaded,
    validation,
    rows_read,
    rows_loaded,
    rows_quarantined,
    started_at,
    finished_at
from {{ source('audit', 'batches') }}
