{{ config(materialized='incremental', unique_key='period_id', incremental_strategy='delete+insert',
          indexes=[{'columns': ['period_id']}]) }}
-- See macros/kpi/apology_compliance_kpi.sql: per agency x period; the agency is the one receiving (received measures) or ending (resolved measures) the case.
{{ apology_compliance_kpi(by_agency=true) }}
