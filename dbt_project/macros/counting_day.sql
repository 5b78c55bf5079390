{#- The day a case's clock starts from: its local receipt date, or the next working day when it was
    received on a day off or after the cut-off time of the rule in force (ref_receipt_rules: 17:00, or
    15:00 for paper dossiers from 1/7/2025 under Nghị định 118/2025). -#}
{% macro counting_day(received_at, channel) -%}
    (select case
                when not day.is_working_day or ({{ received_at }} at time zone 'Asia/Ho_Chi_Minh')::time >= rule.cutoff_time
                    then (select min(nxt.calendar_date) from {{ ref('int_calendar_days') }} as nxt
                          where nxt.is_working_day and nxt.calendar_date > day.calendar_date)
                else day.calendar_date
            end
     from {{ ref('int_calendar_days') }} as day
     join {{ ref('ref_receipt_rules') }} as rule
       on rule.channel_group = case when ({{ channel }}) = 'online' then 'online' else 'paper' end
      and day.calendar_date >= rule.valid_from
      and (rule.valid_to is null or day.calendar_date < rule.valid_to)
     where day.calendar_date = {{ local_date(received_at) }})
{%- endmacro %}
