{{ config(materialized='table', indexes=[{'columns': ['case_id'], 'unique': True}]) }}
-- Per case, what its events say: receipt, the due date that judges lateness, supplements, apology, end.
-- The judging due date is the last one set by TIEP_NHAN or NHAN_BO_SUNG, never the apology's new
-- appointment (SOURCE_CONTRACTS.md §1; DOMAIN.md time rules).
with events as (

    select * from {{ ref('stg_motcua__case_events') }}

),

due_setting as (

    select distinct on (case_id)
        case_id,
        event_type as due_set_by,
        occurred_at as due_set_at,
        new_due_at as due_at
    from events
    where event_type in ('TIEP_NHAN', 'NHAN_BO_SUNG')
    order by case_id, occurred_at desc

),

waits as (

    select
        case_id,
        sum(coalesce(completed_at, requested_at) - requested_at) as supplement_wait,
        bool_or(completed_at is null) as is_waiting_for_supplement
    from {{ ref('int_case_supplement_waits') }}
    group by case_id

),

summary as (

    select
        case_id,
        min(occurred_at) filter (where event_type = 'TIEP_NHAN') as receipt_event_at,
        (array_agg(agency_id order by occurred_at) filter (where event_type = 'TIEP_NHAN'))[1] as receiving_agency_id,
        (array_agg(new_due_at order by occurred_at) filter (where event_type = 'TIEP_NHAN'))[1] as receipt_due_at,
        count(*) filter (where event_type = 'YEU_CAU_BO_SUNG') as supplement_requests,
        min(occurred_at) filter (where event_type = 'XIN_LOI') as apology_at,
        min(occurred_at) filter (where event_type = 'HOAN_THANH') as completed_event_at,
        min(occurred_at) filter (where event_type in ('TRA_LAI', 'RUT_HO_SO')) as ended_event_at,
        count(*) as event_count
    from events
    group by case_id

)

select
    summary.*,
    due_setting.due_set_by,
    due_setting.due_set_at,
    due_setting.due_at,
    coalesce(waits.supplement_wait, interval '0') as supplement_wait,
    coalesce(waits.is_waiting_for_supplement, false) as is_waiting_for_supplement
from summary
left join due_setting using (case_id)
left join waits using (case_id)
