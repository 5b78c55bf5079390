-- See macros/kpi/apology_compliance_kpi.sql: the province total per period, counted from the cases directly.
{{ apology_compliance_kpi(by_agency=false) }}
