{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}]) }}
-- Decision 766 indicators per agency x calendar period: see macros/kpi/scorecard_766_kpi.sql.
{{ scorecard_766_kpi(by_agency=true) }}
