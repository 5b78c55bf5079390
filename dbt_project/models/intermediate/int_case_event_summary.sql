{{ config(
    materialized='incremental', unique_key='case_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['case_id'], 'unique': True}]
) }}
-- Per case (one row for every case, with or without events), what its events say: the receipt and the due
-- date it set, the first supplement request and the completed dossier that answered it (with the due date it
-- set), a second request, the apology, the end. Whether the first request was lawful, and so whether it restarts
-- the clock, is fct_cases' to decide (it needs the working-day calendar and ref_supplement_rules); never the
-- apology's new appointment (docs/sources.md; docs/domain.md).
-- Incremental: recomputed only for the cases whose record or events changed since this table's watermark.
with cases as {% if is_incremental() %}materialized {% endif %}(

    select case_id from {{ ref('stg_motcua__cases') }}
    {%- if is_incremental() %}
    where case_id in {{ changed_case_ids(model_watermark()) }}
    {%- endif %}

),

events as {% if is_incremental() %}materialized{% else %}not materialized{% endif %} (

    -- a full build reads them where used, so each use reads only the events it needs: written once for all
    -- three, a year's 6.2 M events went to disk first (4 s); it reads every case's (the final join keeps those of
    -- known cases). A night's few are written once: read where used, the night's build took 2.4 s, not 1.0
    select events.* from {{ ref('stg_motcua__case_events') }} as events
    {%- if is_incremental() %}
    join cases using (case_id)
    {%- endif %}

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
        min(requested_at) as first_request_at,
        (array_agg(requested_at order by requested_at))[2] as second_request_at,
        (array_agg(completed_at order by requested_at))[1] as first_completed_at
    from supplements
    where event_type = 'YEU_CAU_BO_SUNG'
    group by case_id

),

first_completion as (

    -- the due date the completed dossier's return set, if it gave one
    select distinct on (events.case_id) events.case_id, events.new_due_at as first_completed_due_at
    from events
    join waits on waits.case_id = events.case_id and events.occurred_at = waits.first_completed_at
    where events.event_type = 'NHAN_BO_SUNG'
    order by events.case_id, events.new_due_at desc nulls last

),

summary as (

    select
        case_id,
        min(occurred_at) filter (where event_type = 'TIEP_NHAN') as receipt_event_at,
        (array_agg(agency_id order by occurred_at) filter (where event_type = 'TIEP_NHAN'))[1] as receiving_agency_id,
        (array_agg(new_due_at order by occurred_at) filter (where event_type = 'TIEP_NHAN'))[1] as receipt_due_at,
        count(*) filter (where event_type = 'YEU_CAU_BO_SUNG') as supplement_requests,
        min(occurred_at) filter (where event_type = 'XIN_LOI') as apology_at,
        -- a second apology (the appointment may be moved once only: Nghị định 118/2025 Art. 19.6) and the new
        -- appointment the latest apology promised
        (array_agg(occurred_at order by occurred_at) filter (where event_type = 'XIN_LOI'))[2] as second_apology_at,
        -- (ascending, as every other aggregate here, so that one sort serves all: the latest is the last)
        array_agg(new_due_at order by occurred_at)
            filter (where event_type = 'XIN_LOI' and new_due_at is not null) as apology_due_ats,
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
    summary.second_apology_at,
    summary.apology_due_ats[cardinality(summary.apology_due_ats)] as apology_due_at,
    summary.completed_event_at,
    summary.ended_event_at,
    coalesce(summary.event_count, 0) as event_count,
    waits.first_request_at,
    waits.second_request_at,
    waits.first_completed_at,
    first_completion.first_completed_due_at,
    coalesce(waits.supplement_wait, interval '0') as supplement_wait,
    {{ raw_watermark() }} as source_batch_id
from cases
left join summary using (case_id)
left join waits using (case_id)
left join first_completion using (case_id)
