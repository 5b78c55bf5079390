{#- The day a case's clock starts from, given `day`, the calendar row (join_calendar_day) of the local date of
    `received_at`: that date, or the next working day when it was received on a day off or after the cut-off
    time of the rule in force (ref_receipt_rules: 17:00, or 15:00 for paper dossiers from 1/7/2025 under
    Nghị định 118/2025). -#}
{% macro counting_day(day, received_at, channel) -%}
    case
        when not {{ day }}.is_working_day
             or ({{ received_at }} at time zone 'Asia/Ho_Chi_Minh')::time
                >= case when ({{ channel }}) = 'online' then {{ day }}.online_cutoff_time
                        else {{ day }}.paper_cutoff_time end
            then {{ day }}.next_working_date
        else {{ day }}.calendar_date
    end
{%- endmacro %}
