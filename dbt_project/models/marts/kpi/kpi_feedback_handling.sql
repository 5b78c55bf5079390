{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}]) }}
-- PAKN handling per agency in charge x period: see macros/kpi/feedback_handling_kpi.sql.
{{ feedback_handling_kpi(by_agency=true) }}
