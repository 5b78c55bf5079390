-- See macros/kpi/land_lateness_kpi.sql: the province total per period, counted from the cases directly.
{{ land_lateness_kpi(by_agency=false) }}
