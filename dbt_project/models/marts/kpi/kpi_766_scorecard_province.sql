-- Decision 766 indicators for the province x calendar period: see macros/kpi/scorecard_766_kpi.sql.
{{ scorecard_766_kpi(by_agency=false) }}
