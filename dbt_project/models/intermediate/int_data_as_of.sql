-- The data date: the moment of the latest delivery the warehouse loaded (the night's delivery moment,
-- stg_audit__batches.delivered_at), never the largest timestamp a source wrote (one typo in the future would
-- close periods early and make open cases overdue; such a timestamp is a data-quality gap instead, the raw
-- suites' generated `not_after_delivery` check). Periods not over yet are measured up to here, and report
-- deadlines are judged against it, so a rebuild of old data gives the same numbers it gave then, whatever today's
-- date is. The portal's published 766 scores (dvcqg_766) are no delivery of the province's own data: their arrival
-- moves nothing.
-- (macro data_as_of: the incremental models compare it with the moment their last build measured up to)
select {{ data_as_of() }} as as_of_at
