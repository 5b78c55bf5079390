{{ config(materialized='table') }}
-- The data date (one row): the moment of the latest delivery, as of which every open case, feedback and report
-- in the marts is judged (int_data_as_of). For analysts ("as of when?") and the rollup (is a period due?).
select as_of_at, {{ local_date('as_of_at') }} as as_of_date, {{ province_code() }} as province_code
from {{ ref('int_data_as_of') }}
