{#- Land-dossier lateness: late resolved land cases / resolved land cases (target < 2%). -#}
{% macro land_lateness_kpi(by_agency) %}
{{ case_flow_kpi(
    measures=[
        ('land_resolved', 'ended', "cases.outcome = 'resolved' and cases.timeliness is not null"),
        ('land_resolved_late', 'ended', "cases.timeliness = 'late'"),
        ('land_received', 'received', 'true'),
    ],
    ratios=[('land_late_rate', 'land_resolved_late', 'land_resolved', 'land_late_rate')],
    by_agency=by_agency,
    case_filter='cases.is_land_case',
) }}
{% endmacro %}
