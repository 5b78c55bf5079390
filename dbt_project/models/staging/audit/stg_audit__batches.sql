-- The batch ledger: every raw batch, what it carried and whether its rows count (status 'loaded'; a
-- rejected, failed or excluded batch is ignored by every staging model). A view, so an exclusion made after
-- the night shows at once. delivered_at: the delivery moment of the night that loaded the batch (its run's
-- logical date, audit.nightly_runs), else when the batch was loaded.
select
    batches.batch_id,
    batches.source,
    batches.entity,
    batches.mode,
    batches.location,
    batches.status,
    batches.status = 'loaded' as is_loaded,
    batches.validation,
    batches.rows_read,
    batches.rows_loaded,
    batches.rows_quarantined,
    batches.started_at,
    batches.finished_at,
    coalesce(runs.delivered_at, batches.started_at) as delivered_at
from {{ source('audit', 'batches') }} as batches
left join {{ source('audit', 'nightly_runs') }} as runs on runs.run_id = batches.run_id
