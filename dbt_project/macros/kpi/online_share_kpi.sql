{#- Online submission, fully online, online payment, electronic results, digitisation, national sync. -#}
{% macro online_share_kpi(by_agency) %}
{{ case_flow_kpi(
    measures=[
        ('received', 'received', 'true'),
        ('received_online', 'received', "cases.channel = 'online'"),
        ('received_fully_online', 'received', "cases.online_service_level = 'TOAN_TRINH'"),
        ('received_with_fee', 'received', 'cases.has_fee'),
        ('received_paid_online', 'received', 'cases.has_fee and cases.is_paid_online'),
        ('received_synced', 'received', 'cases.is_synced_national'),
        ('resolved', 'ended', "cases.outcome = 'resolved'"),
        ('resolved_with_electronic_result', 'ended', "cases.outcome = 'resolved' and cases.has_electronic_result"),
        ('resolved_digitised', 'ended', "cases.outcome = 'resolved' and cases.is_digitised"),
    ],
    ratios=[
        ('online_submission_share', 'received_online', 'received', 'online_submission_share'),
        ('fully_online_share', 'received_fully_online', 'received', none),
        ('online_payment_share', 'received_paid_online', 'received_with_fee', 'online_payment_share'),
        ('electronic_result_share', 'resolved_with_electronic_result', 'resolved', none),
        ('digitisation_rate', 'resolved_digitised', 'resolved', 'digitisation_rate'),
        ('national_sync_share', 'received_synced', 'received', none),
    ],
    dims=['field_id'],
    by_agency=by_agency,
) }}
{% endmacro %}
