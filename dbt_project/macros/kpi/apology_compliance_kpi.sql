{#- Apology compliance: late resolved cases with an apology letter / late resolved cases (target 100%);
    also how many apologies came at least one day before the due date, as Nghị định 118 Art. 12.5 asks. -#}
{% macro apology_compliance_kpi(by_agency) %}
{{ case_flow_kpi(
    measures=[
        ('late_resolved', 'ended', "cases.timeliness = 'late'"),
        ('late_resolved_with_apology', 'ended', "cases.timeliness = 'late' and cases.has_apology"),
        ('late_resolved_with_timely_apology', 'ended',
         "cases.timeliness = 'late' and " ~ local_date('cases.apology_at') ~ " < cases.judging_due_date"),
    ],
    ratios=[
        ('apology_compliance_rate', 'late_resolved_with_apology', 'late_resolved', 'apology_compliance'),
        ('timely_apology_rate', 'late_resolved_with_timely_apology', 'late_resolved', none),
    ],
    by_agency=by_agency,
) }}
{% endmacro %}
