{{ config(
    materialized='incremental', unique_key='case_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['case_id', 'spell_number'], 'unique': True},
             {'columns': ['valid_from_at'], 'type': 'btree'}]
) }}
-- Which agency held each case when: one row per spell, half-open [valid_from_at, valid_to_at).
-- A case and spell number is one row: the unique index enforces it (and serves the lookups by case).
-- Built from receipt and transfer events (CHUYEN_XU_LY), so a case that moved from an abolished district
-- or commune on 1/7/2025 counts at the old agency before the move and at the new one after it.
-- Incremental: recomputed only for the cases whose record or events changed (every case has a spell).
with cases as materialized (

    select case_id, agency_id, received_at from {{ ref('stg_motcua__cases') }}
    {%- if is_incremental() %}
    where case_id in {{ changed_case_ids(model_watermark()) }}
    {%- endif %}

),

routing as (

    select events.case_id, events.agency_id, events.occurred_at
    from {{ ref('stg_motcua__case_events') }} as events
    join cases using (case_id)
    where events.event_type in ('TIEP_NHAN', 'CHUYEN_XU_LY')

),

moves as (

    select routing.* from routing join cases using (case_id)
    union all
    -- no routing event delivered (yet): the case sits at the agency on its record since receipt
    select cases.case_id, cases.agency_id, cases.received_at
    from cases
    where not exists (select 1 from routing where routing.case_id = cases.case_id)

),

changes as (

    select
        *,
        lag(agency_id) over (partition by case_id order by occurred_at, agency_id) as previous_agency_id
    from moves

),

spells as (

    select case_id, agency_id, previous_agency_id, occurred_at
    from changes
    where previous_agency_id is distinct from agency_id

)

select
    spells.case_id,
    spells.agency_id,
    spells.previous_agency_id,
    row_number() over (partition by spells.case_id order by spells.occurred_at) as spell_number,
    case when spells.previous_agency_id is null then least(spells.occurred_at, cases.received_at)
         else spells.occurred_at end as valid_from_at,
    lead(spells.occurred_at) over (partition by spells.case_id order by spells.occurred_at) as valid_to_at,
    {{ raw_watermark() }} as source_batch_id
from spells
join cases using (case_id)
