-- NgayCapNhat (the version's time) is not later than the delivery that carried it (the night's delivery moment, audit.nightly_runs,
-- else the batch's load): a later one is a typo or a source clock running ahead. It never sets the data date
-- (int_data_as_of is the delivery moment); the record is judged as of its delivery like the others.
-- kind: timestamp_after_delivery
-- severity: warning
b.ngaycapnhat > (select coalesce(runs.delivered_at, batches.started_at) from audit.batches as batches
          left join audit.nightly_runs as runs on runs.run_id = batches.run_id where batches.batch_id = b._batch_id)
