{{ config(
    materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
    indexes=[{'columns': ['period_id', 'source_batch_id']}, {'columns': ['source_batch_id']}]
) }}
-- The measures behind every feedback (PAKN) KPI: one row per feedback and period it touches (received,
-- due or answered in it, or open through it; months, six months and years of Nghị định 09/2019 and the 766 scorecard's calendar
-- periods), with where it stood. Feedback counts at the agency in charge (MaDonViXuLy).
-- Incremental: only the periods a change can reach are rebuilt (macro periods_to_refresh), whole.
with periods as (

    select * from {{ ref('int_periods_measured') }}
    where period_id in {{ periods_to_refresh(['month', 'six_months', 'year', 'calendar_month', 'calendar_quarter',
                                              'calendar_year'], model_watermark(),
                                             with_cases=false, with_feedback=true) }}

),

feedback as (

    select * from {{ ref('fct_feedback') }}

),

next_petitions as (

    -- the 766 "re-petitioned" rule (5.3: a PAKN brought up again in a later one): the same sender (keyed hash of
    -- the phone) wrote again about the same procedure after this one was answered. The sources carry no case
    -- code on a PAKN, so the procedure is the closest to "the same result" they allow; a later petition about
    -- something else, or sent before the answer, is not a re-petition
    select earlier.feedback_id, min(later.received_at) as next_petition_at
    from feedback as earlier
    join feedback as later
      on later.sender_key = earlier.sender_key
     and later.procedure_id = earlier.procedure_id
     and later.feedback_id <> earlier.feedback_id
     and later.received_at > earlier.answered_at
    group by earlier.feedback_id

)

select
    periods.period_id,
    feedback.feedback_id,
    feedback.agency_id,
    feedback.channel,
    feedback.feedback_type,
    feedback.is_passed_on,
    feedback.is_answered,
    feedback.is_answered_on_time,
    feedback.is_published,
    feedback.is_rated_unsatisfied,
    feedback.received_at >= periods.starts_at and feedback.received_at < periods.ends_at as is_received,
    feedback.deadline_at >= periods.starts_at and feedback.deadline_at < periods.ends_at
        and not feedback.is_passed_on as is_due,
    coalesce(feedback.answered_at >= periods.starts_at and feedback.answered_at < periods.ends_at, false)
        as is_answered_in_period,
    (feedback.answered_at is null or feedback.answered_at >= periods.ends_at)
        and feedback.deadline_date < periods.end_date as is_overdue_at_end,
    -- the 766 scorecard's population (5.2, 5.3: "sent to the agency, processed or in progress in the period"):
    -- received before the period's end and not answered before its start (so an old PAKN still open counts),
    -- not passed on to another agency
    feedback.received_at < periods.ends_at and not feedback.is_passed_on
        and coalesce(feedback.answered_at >= periods.starts_at, true) as is_processed_766,
    coalesce(feedback.answered_at < periods.ends_at and feedback.is_answered_on_time, false) as is_handled_on_time,
    feedback.answered_at is null or feedback.answered_at >= periods.ends_at as is_open_at_end,
    feedback.deadline_date >= periods.end_date as is_within_time_at_end,
    coalesce(next_petitions.next_petition_at < periods.ends_at, false) as is_petitioned_again,
    {{ raw_watermark() }} as source_batch_id
from periods
join feedback
  on (feedback.received_at >= periods.starts_at and feedback.received_at < periods.ends_at)
  or (feedback.deadline_at >= periods.starts_at and feedback.deadline_at < periods.ends_at)
  or (feedback.answered_at >= periods.starts_at and feedback.answered_at < periods.ends_at)
  -- open through the whole period (an unanswered backlog); what was passed on has left the agency
  or (feedback.received_at < periods.starts_at and coalesce(feedback.answered_at >= periods.ends_at, true)
      and not feedback.is_passed_on)
left join next_petitions using (feedback_id)
