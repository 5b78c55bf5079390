{{ config(
    materialized='incremental', unique_key='case_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['case_id'], 'unique': True}]
) }}
-- Per case (one row for every case, with or without events), what its events say: receipt, the due date
-- that judges lateness, supplements, apology, end. The judging due date is the last one set by TIEP_NHAN or
-- NHAN_BO_SUNG, never the apology's new appointment (docs/sources.md; docs/domain.md).
-- Incremental: recomputed only for the cases whose record or events changed since this table's watermark.
with cases as materialized (

    select case_id from {{ ref('stg_motcua__cases') }}
    {%- if is_incremental() %}
    where case_id in {{ changed_case_ids(model_watermark()) }}
    {%- endif %}

),

events as (

    select events.* from {{ ref('stg_motcua__case_events') }} as events
    join cases using (case_id)

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

supplements as (

    -- each supplement request paired with the next return of the completed dossier (766 subtracts these)
    select
        case_id,
        occurred_at as requested_at,
        min(occurred_at) filter (where event_type = 'NHAN_BO_SUNG')
            over (partition by case_id order by occurred_at rows between current row and unbounded following)
            as completed_at,
        event_type
    from events
    where event_type in ('YEU_CAU_BO_SUNG', 'NHAN_BO_SUNG')

),

waits as (

    select
        case_id,
        sum(coalesce(completed_at, requested_at) - requested_at) as supplement_wait,
        bool_or(completed_at is null) as is_waiting_for_supplement
    from supplements
    where event_type = 'YEU_CAU_BO_SUNG'
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
    cases.case_id,
    summary.receipt_event_at,
    summary.receiving_agency_id,
    summary.receipt_due_at,
    coalesce(summary.supplement_requests, 0) as supplement_requests,
    summary.apology_at,
    summary.completed_event_at,
    summary.ended_event_at,
    coalesce(summary.event_count, 0) as event_count,
    due_setting.due_set_by,
    due_setting.due_set_at,
    due_setting.due_at,
    coalesce(waits.supplement_wait, interval '0') as supplement_wait,
    coalesce(waits.is_waiting_for_supplement, false) as is_waiting_for_supplement,
    {{ raw_watermark() }} as source_batch_id
from cases
left join summary using (case_id)
left join due_setting using (case_id)
left join waits using (case_id)
