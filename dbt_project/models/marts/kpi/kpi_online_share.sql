{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}]) }}
-- See macros/kpi/online_share_kpi.sql: per agency x period x field; the agency is the one receiving (received measures) or ending (resolved measures) the case.
{{ online_share_kpi(by_agency=true) }}
