-- The moment the warehouse's data describes: the latest change any source has sent. Periods not over yet
-- are measured up to here, and report deadlines are judged against it (so a rebuild of old data gives
-- the same numbers it gave then, whatever today's date is).
select greatest(
    (select max(source_updated_at) from {{ ref('stg_motcua__cases') }}),
    (select max(source_updated_at) from {{ ref('stg_pakn__feedback') }}),
    (select max(submitted_at) from {{ ref('stg_baocao__report_values') }})
) as as_of_at
