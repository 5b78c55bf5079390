{{ config(
    materialized='incremental', unique_key='case_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['case_id'], 'unique': True}, {'columns': ['received_at']},
             {'columns': ["(coalesce(ended_at, 'infinity'::timestamptz))"]}, {'columns': ['source_batch_id']},
             {'columns': ['(' ~ case_last_moment() ~ ')']}]
) }}
-- depends_on: {{ ref('stg_motcua__case_events') }}
-- One row per case (latest version), classified: the fact table behind every case KPI. Its judging due date is
-- the one set on receipt (TIEP_NHAN), else the record's (unless an apology may have moved it), else the
-- procedure's legal working days from the valid receipt; a supplement request moves it only when lawful
-- (ref_supplement_rules: the first request, within 3 working days of the valid receipt and not after the due
-- date in force), to the due date set when the completed dossier came back (NHAN_BO_SUNG), else the legal days
-- from then. A second request, or one out of the window, moves nothing and flags the case
-- (supplement_out_of_rule). It is early, on time or late by local calendar dates. No personal data: the
-- applicant appears only as a keyed hash.
-- Incremental: each night classifies again the cases whose record or events changed, and the cases of a procedure
-- whose catalogue row now says otherwise than they were classified with (its legal days, field or online offer:
-- what a full rebuild would use); a catalogue delivered again unchanged costs one pass and reclassifies nothing.
-- Those procedures are read before the model's SQL runs and written in as literals: as a subquery in the same
-- statement, the planner took them for every stored case and hashed whole tables to classify a few hundred.
{%- set reclassified = [] %}
{%- if is_incremental() and execute %}
    {%- set probe %}
        select distinct stored.procedure_id
        from {{ this }} as stored
        inner join {{ ref('dim_procedure') }} as catalogue using (procedure_id)
        where procedure_id in (select procedure_id from {{ ref('stg_motcua__procedures') }}
                               where source_batch_id > {{ model_watermark() }})
          and (stored.field_id, stored.legal_working_days, stored.is_land_case, stored.is_fully_online_capable)
              is distinct from (catalogue.field_id, catalogue.legal_working_days, catalogue.is_land_procedure,
                                catalogue.is_fully_online_capable)
        order by 1
    {%- endset %}
    {%- set reclassified = run_query(probe).columns[0].values() %}
{%- endif %}
-- (materialized only on a night, where it makes the planner semi-join the few changed cases first; a full build
-- would write the whole table to disk for nothing)
with cases as {% if is_incremental() %}materialized {% endif %}(

    select * from {{ ref('stg_motcua__cases') }}
    {%- if is_incremental() %}
    -- one IN over a union, not two INs joined by OR: the planner then semi-joins the few changed cases
    where case_id in (
           select changed.case_id from {{ changed_case_ids(model_watermark()) }} as changed
           {%- if reclassified %}
           union
           select stored.case_id from {{ this }} as stored
           where stored.procedure_id in {{ text_literals(reclassified) }}
           {%- endif %})
    {%- endif %}

),

procedures as (

    select * from {{ ref('stg_motcua__procedures') }}

),

events as (

    select * from {{ ref('int_case_event_summary') }}

),

joined as (

    select
        cases.*,
        procedures.field_id,
        procedures.legal_working_days,
        events.receiving_agency_id as receipt_event_agency_id,
        events.receipt_event_at,
        events.receipt_due_at,
        events.first_request_at,
        events.second_request_at,
        events.first_completed_at,
        events.first_completed_due_at,
        events.apology_at,
        events.second_apology_at,
        events.apology_due_at,
        events.completed_event_at,
        events.ended_event_at,
        coalesce(events.supplement_requests, 0) as supplement_requests,
        coalesce(events.supplement_wait, interval '0') as supplement_wait,
        rules.window_working_days as supplement_window_days,
        rules.requests_allowed as supplement_requests_allowed,
        case
            when cases.status in ('DA_XU_LY', 'DA_TRA_KET_QUA') then 'resolved'
            when cases.status = 'TRA_LAI' then 'returned'
            when cases.status = 'RUT_HO_SO' then 'withdrawn'
            else 'in_progress'
        end as outcome
    from cases
    left join procedures using (procedure_id)
    left join events using (case_id)
    left join {{ ref('ref_supplement_rules') }} as rules
      on {{ local_date('cases.received_at') }} >= rules.valid_from
     and (rules.valid_to is null or {{ local_date('cases.received_at') }} < rules.valid_to)

),

dated as (

    select
        joined.*,
        -- the valid receipt: the day the clock starts (the next working day after the cut-off or on a day off)
        {{ counting_day('receipt_day', 'coalesce(receipt_event_at, received_at)', 'channel') }} as valid_receipt_date,
        -- the same for the completed dossier's return, from which a lawful request restarts the clock
        {{ counting_day('completed_day', 'first_completed_at', 'channel') }} as completed_counting_date,
        case
            when outcome = 'resolved' then coalesce(finished_at, completed_event_at, result_returned_at)
            when outcome in ('returned', 'withdrawn') then coalesce(ended_event_at, finished_at, source_updated_at)
        end as ended_at
    from joined
    {{ join_calendar_day('receipt_day', local_date('coalesce(receipt_event_at, received_at)')) }}
    {{ join_calendar_day('completed_day', local_date('first_completed_at')) }}

),

received_due as (

    -- the due date before any supplement: set on receipt, else on record (unless an apology or a supplement may
    -- have moved it), else the legal working days from the valid receipt
    select
        dated.*,
        receipt_legal_due.calendar_date as receipt_legal_due_date,
        -- the last day a supplement request may restart the clock
        supplement_window_end.calendar_date as supplement_window_end_date,
        -- the legal days again from the completed dossier's return (used only if the request was lawful)
        restart_legal_due.calendar_date as restart_legal_due_date,
        case
            when receipt_due_at is not null then 'event'
            -- a receipt event that set no date leaves the record's date authoritative (audit F-09.1)
            when due_at_recorded is not null and apology_at is null
                 and not has_apology_letter and supplement_requests = 0 then 'record'
            else 'derived'
        end as receipt_due_source
    from dated
    {{ join_working_days_after('receipt_legal_due', 'dated.valid_receipt_date', 'dated.legal_working_days') }}
    {{ join_working_days_after('supplement_window_end', 'dated.valid_receipt_date', 'dated.supplement_window_days') }}
    {{ join_working_days_after('restart_legal_due', 'dated.completed_counting_date', 'dated.legal_working_days') }}

),

supplemented as (

    select
        *,
        case receipt_due_source
            when 'event' then {{ local_date('receipt_due_at') }}
            when 'record' then {{ local_date('due_at_recorded') }}
            else receipt_legal_due_date
        end as receipt_judging_due_date
    from received_due

),

restarted as (

    select
        *,
        -- the first request restarts the clock only within the window after the valid receipt and not after the
        -- due date in force (Nghị định 61/2018 Art. 19; 118/2025 Art. 19.5)
        coalesce(
            {{ local_date('first_request_at') }} <= supplement_window_end_date
            and {{ local_date('first_request_at') }} <= receipt_judging_due_date,
            false
        ) as is_supplement_lawful
    from supplemented

),

judged as (

    select
        *,
        case
            when is_supplement_lawful and first_completed_at is not null
                then coalesce({{ local_date('first_completed_due_at') }}, restart_legal_due_date)
            else receipt_judging_due_date
        end as judging_due_date,
        case
            when is_supplement_lawful and first_completed_at is not null
                then case when first_completed_due_at is not null then 'event' else 'derived' end
            else receipt_due_source
        end as due_date_source,
        case when is_supplement_lawful and first_completed_at is not null then first_completed_at
             else coalesce(receipt_event_at, received_at) end as clock_started_at,
        case when is_supplement_lawful and first_completed_at is not null then restart_legal_due_date
             else receipt_legal_due_date end as legal_due_date,
        first_request_at is not null and not is_supplement_lawful
            or supplement_requests > supplement_requests_allowed as is_supplement_out_of_rule,
        -- after a lawful request, until the completed dossier comes back, the case waits for the citizen: no
        -- running deadline
        is_supplement_lawful and first_completed_at is null and ended_at is null as is_waiting_for_citizen
    from restarted

),

classified as (

    select
        judged.case_id,
        procedure_id,
        field_id,
        judged.agency_id as current_agency_id,
        coalesce(receipt_event_agency_id, judged.agency_id) as receiving_agency_id,
        case when judged.ended_at is not null then coalesce(holder.agency_id, judged.agency_id) end as ended_agency_id,
        applicant_key,
        channel,
        online_service_level,
        status,
        outcome,
        case
            when outcome <> 'resolved' or judging_due_date is null then null
            when {{ local_date('ended_at') }} < judging_due_date then 'early'
            when {{ local_date('ended_at') }} = judging_due_date then 'on_time'
            else 'late'
        end as timeliness,
        due_date_source,
        legal_working_days,
        supplement_requests,
        supplement_wait,
        case when outcome = 'resolved' then {{ working_days_between('due_day', 'ended_day') }} end
            as working_days_late,
        has_fee,
        is_paid_online,
        is_digitised,
        has_electronic_result,
        is_synced_national,
        has_apology_letter or apology_at is not null as has_apology,
        -- an apology at least one working day before the due date (Nghị định 118/2025 Art. 12.5, 19.6); a letter
        -- flagged without a dated XIN_LOI event cannot be timed, so it is not timely
        coalesce({{ working_days_between('apology_day', 'due_day') }} >= 1, false)
            as is_apology_timely,
        second_apology_at,
        -- resolved after the new appointment the (latest) apology promised: late a second time
        coalesce(outcome = 'resolved' and {{ local_date('ended_at') }} > {{ local_date('apology_due_at') }}, false)
            as is_resolved_after_apology_date,
        -- returned or withdrawn after its due date had passed: late before it ended (DOMAIN: ended_after_due)
        coalesce(outcome in ('returned', 'withdrawn') and {{ local_date('ended_at') }} > judging_due_date, false)
            as is_ended_after_due,
        is_supplement_lawful,
        is_supplement_out_of_rule,
        is_waiting_for_citizen,
        receipt_judging_due_date,
        first_request_at,
        second_request_at,
        first_completed_at,
        {{ local_date('received_at') }} as received_date,
        judging_due_date,
        legal_due_date,
        {{ local_date('receipt_due_at') }} as receipt_due_date,
        {{ local_date('ended_at') }} as ended_date,
        received_at,
        clock_started_at,
        due_at_recorded,
        judged.ended_at,
        apology_at,
        source_updated_at,
        batch_id
    from judged
    left join {{ ref('int_case_agency_spells') }} as holder
      on holder.case_id = judged.case_id
     and holder.valid_from_at <= judged.ended_at
     and (holder.valid_to_at is null or holder.valid_to_at > judged.ended_at)
    {{ join_calendar_day('due_day', 'judged.judging_due_date') }}
    {{ join_calendar_day('ended_day', local_date('judged.ended_at')) }}
    {{ join_calendar_day('apology_day', local_date('judged.apology_at')) }}

)

select
    classified.*,
    coalesce(catalogue.is_land_procedure, false) as is_land_case,
    coalesce(catalogue.is_fully_online_capable, false) as is_fully_online_capable,
    {{ raw_watermark() }} as source_batch_id,
    {{ province_code() }} as province_code
from classified
left join {{ ref('dim_procedure') }} as catalogue using (procedure_id)
