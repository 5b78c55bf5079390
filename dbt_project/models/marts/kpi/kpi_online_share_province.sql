{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}]) }}
-- See macros/kpi/online_share_kpi.sql: the province total per period x field, counted from the cases directly.
{{ online_share_kpi(by_agency=false) }}
