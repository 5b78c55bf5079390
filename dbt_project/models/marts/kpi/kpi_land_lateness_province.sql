{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}]) }}
-- See macros/kpi/land_lateness_kpi.sql: the province total per period, counted from the cases directly.
{{ land_lateness_kpi(by_agency=false) }}
