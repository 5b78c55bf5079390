{{ config(
    materialized='incremental', unique_key=['period_id', 'case_id'], incremental_strategy='delete+insert',
    indexes=[{'columns': ['period_id', 'source_batch_id']}, {'columns': ['source_batch_id']},
             {'columns': ['case_id', 'period_id', 'agency_id'], 'unique': True}],
    pre_hook="{% if is_incremental() %}delete from {{ this }} where case_id in (select case_id from "
             ~ "{{ ref('fct_cases') }} where source_batch_id > {{ model_watermark() }}){% endif %}"
) }}
-- The measures behind every case KPI, at one grain: a case, a period it touches (the months of Nghị định 09/2019,
-- and the calendar months of the 766 scorecard) and an agency the case counts at in that period. Nghị định 09's six
-- months and years are summed from their months by the KPIs (macro summed_into_parents), so they have no rows
-- here: a year's rows would be a million cases' again. So are the scorecard's calendar quarters and years, but for
-- the cases with a supplement request: 766 judges those at the period's own end (awaiting since before it: not in
-- its population; judged at the request, or with the second request made by then), which no sum of months gives,
-- so they have rows in the quarters and years too (int_scorecard_766_indicators).
--
-- A moment flag is true on exactly one row of a case and period: carried over (at the agency holding the case
-- when the period starts), received (the receiving agency), ended (the agency holding it when it ended),
-- open at the end (the agency holding it then), processed in the 766 sense (the agency that ended it, or holds
-- it now). A case that stayed with one agency has one row per period; a case moved between agencies has a row
-- for each agency involved. So an agency's KPI is a `count(*) filter (where ...)` grouped by agency_id, and the
-- province's is the same count without it. The case's attributes (field, channel, fee, ...) repeat on each row.
--
-- Incremental: only the rows that can have changed are written again, each case and period whole (its rows at
-- every agency). A case that changed (fct_cases rewrote it) in every period it touches: its earlier rows go first
-- (pre_hook), as it may touch fewer periods now. In each period measured to a later moment than at the last
-- build (the periods not over then), the cases whose last moment (macro case_last_moment) is not before that
-- build's data moment: an open case, or one with a moment after it; every other case ended before it and
-- compares the same with any later end. And when a changed case left a period it was in (a corrected receipt or
-- end), that period whole, so the models built on this one see that it changed. What was built from the night
-- is thus the same as a full build, at the cost of the night's changes and the cases open, not of a year's cases.
{%- set kinds = ['month', 'calendar_month', 'calendar_quarter', 'calendar_year'] %}
{%- if is_incremental() %}
    {%- set watermark = model_watermark() %}
    {%- set remeasured = probe_values(
        "select period_id from " ~ ref('int_periods_measured') ~ " where period_kind in " ~ text_literals(kinds)
        ~ " and " ~ is_remeasured_since(watermark) ~ " order by 1") %}
    {%- set measured_to = probe_values("select " ~ data_as_of(watermark) ~ "::text") %}
    {%- set left_periods = probe_values(
        "select distinct stored.period_id from " ~ this ~ " as stored"
        ~ " join " ~ ref('fct_cases') ~ " as cases using (case_id)"
        ~ " left join " ~ ref('int_periods_measured') ~ " as periods using (period_id)"
        ~ " where cases.source_batch_id > " ~ watermark
        ~ " and (periods.period_id is null or not " ~ case_touches_period() ~ ") order by 1") %}
{%- endif %}
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_kind in {{ text_literals(kinds) }}

),

cases as {% if is_incremental() %}materialized {% endif %}(

    -- with the agency holding the case at any moment no spell below names: its only spell's, if it has one (99%
    -- of cases; it holds the case from its receipt on), else the receiving agency. So only the cases that moved
    -- join their spells below
    select * from (
        select fct_cases.*, coalesce(sole_spell.agency_id, fct_cases.receiving_agency_id) as default_agency_id
        from {{ ref('fct_cases') }} as fct_cases
        left join {{ ref('int_case_agency_spells') }} as sole_spell
          on sole_spell.case_id = fct_cases.case_id and sole_spell.spell_number = 1 and sole_spell.valid_to_at is null
    ) as cases_with_spell
    {%- if is_incremental() %}
    -- each an index scan: the changed cases, the cases not settled by the last build's data moment, and (rarely)
    -- every case of a period a changed case left
    where source_batch_id > {{ watermark }}
    {%- if remeasured and measured_to[0] is not none %}
       or {{ case_last_moment() }} >= '{{ measured_to[0] }}'::timestamptz
    {%- endif %}
    {%- if left_periods %}
       or coalesce(ended_at, 'infinity'::timestamptz)
          >= (select min(starts_at) from periods where period_id in {{ text_literals(left_periods) }})
    {%- endif %}
    {%- endif %}

),

spells as (

    -- the spells of the cases that moved between agencies (a first spell that ends, or a later one): 24 k of a
    -- year's 1.5 M spells. Joined to every (case, period) with all spells, the planner (expecting 30 times fewer
    -- such rows than there are) hashed those 4 M wide rows instead, to disk: 8 s of a year's 33 s. On a night, the
    -- spells of the night's cases only: hashing every spell of the history cost more than the rest of a night
    select * from {{ ref('int_case_agency_spells') }}
    where (valid_to_at is not null or spell_number > 1)
    {%- if is_incremental() %}
      and case_id in (select case_id from cases)
    {%- endif %}

),

touching as (

    -- every case received before the period's end and not ended before its start
    select
        periods.period_id,
        periods.starts_at,
        periods.ends_at,
        periods.end_date,
        periods.near_due_until_date,
        cases.*,
        cases.ended_at is null or cases.ended_at >= periods.ends_at as is_open_at_end,
        -- a supplement requested by the period's end and not yet answered then (the completed dossier not back)
        coalesce(cases.first_request_at < periods.ends_at
                 and coalesce(cases.first_completed_at >= periods.ends_at, true), false) as is_awaiting_supplement_at_end,
        coalesce(cases.second_request_at < periods.ends_at, false) as has_second_request_at_end
    from periods
    join cases on {{ case_touches_period() }}
     and (periods.period_kind in ('month', 'calendar_month') or cases.supplement_requests > 0)
    {%- if is_incremental() %}
    where cases.source_batch_id > {{ watermark }}
       or periods.period_id in {{ text_literals(remeasured) }}
       or periods.period_id in {{ text_literals(left_periods) }}
    {%- endif %}

),

moments as (

    -- which agency each moment of the period counts at (null: the moment is not in the period)
    select
        touching.*,
        case when touching.received_at < touching.starts_at
             then coalesce(at_start.agency_id, touching.default_agency_id) end as carried_over_at,
        case when touching.received_at >= touching.starts_at then touching.receiving_agency_id end as received_at_agency,
        case when touching.ended_at < touching.ends_at then touching.ended_agency_id end as ended_at_agency,
        case when touching.is_open_at_end
             then coalesce(at_end.agency_id, touching.default_agency_id) end as open_at_end_at,
        -- the national 766 engine (indicator 2.1) counts a case where it ended in the period or is held at its
        -- end; a case still awaiting a supplement it was asked for ended, for 766, at the request: it is judged
        -- once, in the request's period, and is not in the later periods' population until the citizen is back
        case
            when touching.is_awaiting_supplement_at_end and touching.first_request_at < touching.starts_at then null
            when touching.ended_at < touching.ends_at then touching.ended_agency_id
            else coalesce(at_end.agency_id, touching.default_agency_id)
        end as processed_766_at,
        -- for a case open at the end: waiting for the citizen then (after a lawful supplement request, before the
        -- completed dossier came back: no running deadline, neither within due nor overdue), else whether it is
        -- within the due date in force then (restarted only by a lawful request answered before the end)
        case when touching.is_open_at_end
             then touching.is_supplement_lawful and touching.is_awaiting_supplement_at_end end as is_waiting_at_end,
        case when touching.is_open_at_end
              and not (touching.is_supplement_lawful and touching.is_awaiting_supplement_at_end) then
            case when touching.is_supplement_lawful and touching.first_completed_at < touching.ends_at
                 then touching.judging_due_date else touching.receipt_judging_due_date end
        end as due_date_at_end,
        -- 766's judgement, with the states at the period's end, always against the due date set on receipt (the
        -- engine subtracts the supplement wait instead of restarting the clock): more than one request made by
        -- then is late; a case awaiting its supplement is judged at the request; an ended case at its end less
        -- the wait; an open case at the period's end less the wait already over
        case
            when touching.has_second_request_at_end then false
            when touching.is_awaiting_supplement_at_end
                then {{ local_date('touching.first_request_at') }} <= touching.receipt_judging_due_date
            when touching.ended_at < touching.ends_at
                then {{ local_date('touching.ended_at - touching.supplement_wait') }} <= touching.receipt_judging_due_date
            else {{ local_date("touching.ends_at - interval '1 second' - coalesce(touching.first_completed_at"
                               ~ " - touching.first_request_at, interval '0')") }} <= touching.receipt_judging_due_date
        end as is_on_time_766_at_end
    from touching
    left join spells as at_start
      on at_start.case_id = touching.case_id and at_start.valid_from_at < touching.starts_at
     and (at_start.valid_to_at is null or at_start.valid_to_at >= touching.starts_at)
    left join spells as at_end
      on at_end.case_id = touching.case_id and at_end.valid_from_at < touching.ends_at
     and (at_end.valid_to_at is null or at_end.valid_to_at >= touching.ends_at)

),

expanded as (

    -- a row for each agency a moment of the period counts at, each agency once (listed unless an earlier
    -- moment's): an unnest in the select list, not a lateral distinct, which cost a hash table per row (13 s a year)
    select
        moments.*,
        unnest(array_remove(array[
            moments.carried_over_at,
            case when moments.received_at_agency is distinct from moments.carried_over_at
                 then moments.received_at_agency end,
            case when moments.ended_at_agency is distinct from moments.carried_over_at
                  and moments.ended_at_agency is distinct from moments.received_at_agency
                 then moments.ended_at_agency end,
            case when moments.open_at_end_at is distinct from moments.carried_over_at
                  and moments.open_at_end_at is distinct from moments.received_at_agency
                  and moments.open_at_end_at is distinct from moments.ended_at_agency
                 then moments.open_at_end_at end,
            case when moments.processed_766_at is distinct from moments.carried_over_at
                  and moments.processed_766_at is distinct from moments.received_at_agency
                  and moments.processed_766_at is distinct from moments.ended_at_agency
                  and moments.processed_766_at is distinct from moments.open_at_end_at
                 then moments.processed_766_at end
        ], null)) as agency_id
    from moments

)

select
    expanded.period_id,
    expanded.case_id,
    expanded.agency_id,
    -- the moments counted at this agency
    coalesce(expanded.carried_over_at = expanded.agency_id, false) as is_carried_over,
    coalesce(expanded.received_at_agency = expanded.agency_id, false) as is_received,
    case when expanded.ended_at_agency = expanded.agency_id then expanded.outcome end as ended_outcome,
    case when expanded.ended_at_agency = expanded.agency_id then expanded.timeliness end as ended_timeliness,
    coalesce(expanded.ended_at_agency = expanded.agency_id and expanded.is_ended_after_due, false) as is_ended_after_due,
    coalesce(expanded.open_at_end_at = expanded.agency_id, false) as is_open_at_end,
    case when expanded.open_at_end_at = expanded.agency_id then expanded.is_waiting_at_end end as is_waiting_at_end,
    case when expanded.open_at_end_at = expanded.agency_id then expanded.due_date_at_end >= expanded.end_date end
        as is_within_due_at_end,
    -- within due but due by the N-th working day after the period's end (ref_early_warning): sắp trễ hạn
    case when expanded.open_at_end_at = expanded.agency_id
         then expanded.due_date_at_end between expanded.end_date and expanded.near_due_until_date end as is_near_due_at_end,
    case when expanded.open_at_end_at = expanded.agency_id then expanded.due_date_at_end end as due_date_at_end,
    coalesce(expanded.processed_766_at = expanded.agency_id, false) as is_processed_766,
    case when expanded.processed_766_at = expanded.agency_id then expanded.is_on_time_766_at_end end
        as is_on_time_766_at_end,
    -- the case's attributes
    expanded.procedure_id,
    expanded.field_id,
    expanded.channel,
    expanded.online_service_level,
    expanded.is_fully_online_capable,
    expanded.is_land_case,
    expanded.outcome,
    expanded.has_fee,
    expanded.is_paid_online,
    expanded.is_synced_national,
    expanded.is_digitised,
    expanded.has_electronic_result,
    expanded.supplement_requests > 0 as has_supplement_request,
    expanded.is_supplement_out_of_rule,
    coalesce(expanded.ended_at_agency = expanded.agency_id and expanded.is_resolved_after_apology_date, false)
        as is_resolved_after_apology_date,
    expanded.judging_due_date,
    case when expanded.outcome = 'resolved'
         then extract(epoch from expanded.ended_at - expanded.received_at) / 86400 end as resolution_days,
    {{ raw_watermark() }} as source_batch_id
from expanded
