{{ config(materialized='table', indexes=[{'columns': ['case_id']}]) }}
-- The due date in force over time, per case: set on receipt (TIEP_NHAN) and reset when a completed
-- supplement arrives (NHAN_BO_SUNG), each valid until the next one. Apology appointments (XIN_LOI) are not
-- due dates. Used to judge cases still open at a period's end against the due date in force then.
select
    case_id,
    event_type as set_by,
    new_due_at as due_at,
    occurred_at as valid_from_at,
    lead(occurred_at) over (partition by case_id order by occurred_at) as valid_to_at
from {{ ref('stg_motcua__case_events') }}
where event_type in ('TIEP_NHAN', 'NHAN_BO_SUNG')
