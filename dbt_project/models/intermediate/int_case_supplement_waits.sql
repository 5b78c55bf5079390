{{ config(materialized='table', indexes=[{'columns': ['case_id']}]) }}
-- Each supplement request with the moment the completed dossier came back (null: still waiting).
-- While waiting, the clock does not run (the due date restarts on NHAN_BO_SUNG); the 766 engine
-- subtracts these intervals from the processing time.
with marks as (

    select
        case_id,
        event_type,
        occurred_at,
        min(occurred_at) filter (where event_type = 'NHAN_BO_SUNG')
            over (partition by case_id order by occurred_at rows between current row and unbounded following)
            as next_completed_at
    from {{ ref('stg_motcua__case_events') }}
    where event_type in ('YEU_CAU_BO_SUNG', 'NHAN_BO_SUNG')

)

select
    case_id,
    row_number() over (partition by case_id order by occurred_at) as request_number,
    occurred_at as requested_at,
    next_completed_at as completed_at
from marks
where event_type = 'YEU_CAU_BO_SUNG'
